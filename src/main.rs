//! The `practrace` command line: flags in, one validated call into the library, exit code out
//! (0 done, 1 done but the input has error diagnostics, 2 could not run).

mod cli;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use cli::{BaselineAction, Cli, Command, ShellArg};
use practrace::commands::{self, CommandError, Io, Outcome};
use practrace::term::{ColorChoice, Environment, Paint};

/// How the terminal is drawn on, decided once from the flags, the environment and the
/// streams.
struct Terminal {
    color: ColorChoice,
    width: Option<u16>,
    quiet: bool,
}

impl Terminal {
    /// The process's standard streams, drawn on as the flags, the environment and the
    /// streams say; the report goes to `output` (`-o FILE`) when given.
    fn io<'a>(
        &self,
        stdout: &'a mut std::io::StdoutLock<'static>,
        stderr: &'a mut std::io::Stderr,
        output: Option<PathBuf>,
    ) -> Io<'a> {
        let env = Environment::from_process();
        let (out_is_terminal, err_is_terminal) = (stdout.is_terminal(), stderr.is_terminal());
        Io {
            out_is_terminal,
            out: stdout,
            err: stderr,
            exiting: true,
            style: env.stdout_style(self.color, out_is_terminal, self.width),
            err_style: env.stderr_style(self.color, err_is_terminal),
            progress: (err_is_terminal && !env.dumb && !self.quiet).then(progress_delay),
            output,
        }
    }
}

/// How long a run goes before its progress shows: a second, or
/// `PRACTRACE_PROGRESS_DELAY_MS` (for tests).
fn progress_delay() -> std::time::Duration {
    std::env::var("PRACTRACE_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(
            practrace::term::Progress::DELAY,
            std::time::Duration::from_millis,
        )
}

/// Runs one command with the process's standard streams; `cwd` is the folder it runs in
/// (`-C DIR`, else `.`), every relative path already taken from it.
fn run(mut command: Command, cwd: &Path, terminal: &Terminal) -> Result<Outcome, CommandError> {
    let (mut stdout, mut stderr) = (std::io::stdout().lock(), std::io::stderr());
    let mut io = terminal.io(&mut stdout, &mut stderr, command.take_output());
    let io = &mut io;
    match command {
        Command::Status { common, format, .. } => {
            commands::status(&common.into(), format.into(), io)
        }
        Command::Gaps {
            common,
            format,
            level,
            pa,
            ..
        } => commands::gaps(&common.into(), format.into(), level, pa.as_deref(), io),
        Command::Trace {
            target,
            common,
            format,
            ..
        } => commands::trace(&common.into(), &target, cwd, format.into(), io),
        Command::Check {
            gate,
            format,
            baseline,
            ..
        } => commands::check(&gate.into(), format.into(), baseline.as_deref(), io),
        Command::Baseline {
            action: BaselineAction::Write { gate, output },
        } => commands::baseline_write(
            &commands::BaselineWrite {
                gate: gate.into(),
                output,
            },
            io,
        ),
        Command::Matrix {
            scan,
            format,
            output,
            timestamp,
        } => commands::matrix(
            &commands::Matrix {
                scan: scan.into(),
                format: format.map(Into::into),
                output,
                generated: timestamp.then(commands::now_rfc3339),
            },
            io,
        ),
        Command::Verify {
            report,
            repo,
            rev,
            model,
            format,
            ..
        } => commands::verify(
            &report,
            &repo,
            rev.as_deref(),
            model.as_deref(),
            format.into(),
            io,
        ),
        Command::Graph(args) => commands::graph(&args.into(), io),
        Command::History(args) => commands::history(&args.into(), io),
        Command::Merge {
            reports,
            format,
            output,
        } => commands::merge(&cli::merge(reports, format, output), io),
        Command::Schema { which } => commands::schema(&which, io),
        command => run_onboarding(command, cwd, io),
    }
}

/// The commands for getting started: `init`, `new`, `list`, `explain`, `completions`, `man`.
fn run_onboarding(command: Command, cwd: &Path, io: &mut Io<'_>) -> Result<Outcome, CommandError> {
    match command {
        Command::Init {
            repo,
            ci,
            dry_run,
            no_cache,
        } => commands::init(
            &commands::Init {
                repo,
                ci: ci.map(Into::into),
                dry_run,
                no_cache,
            },
            io,
        ),
        Command::New { id, path, model } => commands::new(
            &commands::New {
                scan: model.into(),
                id,
                path,
                cwd: cwd.to_path_buf(),
            },
            io,
        ),
        Command::List {
            pa,
            level,
            format,
            model,
            ..
        } => commands::list(&model.into(), pa.as_deref(), level, format.into(), io),
        Command::Explain {
            id, common, format, ..
        } => commands::explain(&common.into(), &id, format.into(), io),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            let mut cli = Cli::command();
            let shell = match shell {
                ShellArg::Bash => clap_complete::Shell::Bash,
                ShellArg::Zsh => clap_complete::Shell::Zsh,
                ShellArg::Fish => clap_complete::Shell::Fish,
                ShellArg::Powershell => clap_complete::Shell::PowerShell,
            };
            clap_complete::generate(shell, &mut cli, "practrace", &mut out);
            print(io, &out)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(CommandError::io("writing the manual page"))?;
            print(io, &out)
        }
        _ => unreachable!("every other command is run by `run`"),
    }
}

/// Writes `bytes` to standard output as they are.
fn print(io: &mut Io<'_>, bytes: &[u8]) -> Result<Outcome, CommandError> {
    io.out
        .write_all(bytes)
        .and_then(|()| io.out.flush())
        .map_err(CommandError::io("writing to stdout"))?;
    Ok(Outcome::Clean)
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "practrace: internal error (this is a bug; please report it with the command you ran): {info}"
        );
    }));
    let mut cli = Cli::parse();
    practrace::diag::set_quiet(cli.quiet);
    let cwd = cli.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    if cli.dir.is_some() {
        cli.command.rebase(&cwd);
    }
    let terminal = Terminal {
        color: cli.color.into(),
        width: cli.term_width,
        quiet: cli.quiet,
    };
    match std::panic::catch_unwind(|| run(cli.command, &cwd, &terminal)) {
        Ok(Ok(Outcome::Clean)) => ExitCode::SUCCESS,
        Ok(Ok(Outcome::Findings)) => ExitCode::from(1),
        // A reader that stops early (`| head`) is not an error: stop quietly, as ripgrep
        // and git do.
        Ok(Err(e)) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            let message = format!("{:#}", anyhow::Error::from(e));
            let style = Environment::from_process()
                .stderr_style(terminal.color, std::io::stderr().is_terminal());
            eprintln!(
                "practrace: {}: {}",
                style.paint("error", Paint::Error),
                commands::terminal_safe(&message)
            );
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}
