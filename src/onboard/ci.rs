//! The CI files `practrace init --ci` writes: a GitHub Actions workflow, or a GitLab CI job
//! to include from `.gitlab-ci.yml` (which init never touches).

/// A CI service `init --ci` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ci {
    /// GitHub Actions: `.github/workflows/practrace.yml`.
    Github,
    /// GitLab CI: `.gitlab/practrace.yml`, to include from `.gitlab-ci.yml`.
    Gitlab,
}

impl Ci {
    /// The file's path from the repository root.
    pub fn path(self) -> &'static str {
        match self {
            Ci::Github => ".github/workflows/practrace.yml",
            Ci::Gitlab => ".gitlab/practrace.yml",
        }
    }

    /// The file's text.
    pub fn text(self) -> String {
        let install = install_command();
        let version = env!("CARGO_PKG_VERSION");
        match self {
            Ci::Github => GITHUB
                .replace("{install}", &install)
                .replace("{version}", version),
            Ci::Gitlab => GITLAB.replace("{install}", &install),
        }
    }

    /// What to do after writing the file, for people.
    pub fn next_step(self) -> &'static str {
        match self {
            Ci::Github => "commit it: the gate then runs on every pull request",
            Ci::Gitlab => {
                "include it from .gitlab-ci.yml (`include: [{local: .gitlab/practrace.yml}]`): the gate then runs on every merge request"
            }
        }
    }
}

/// How CI installs this version of practrace: from the repository the package names, at
/// this version's tag, else from crates.io.
pub fn install_command() -> String {
    let version = env!("CARGO_PKG_VERSION");
    match option_env!("CARGO_PKG_REPOSITORY").filter(|r| !r.is_empty()) {
        Some(repo) => format!("cargo install --locked --git {repo} --tag v{version} practrace"),
        None => format!("cargo install --locked practrace@{version}"),
    }
}

const GITHUB: &str = r#"# practrace's gate on every pull request, written by `practrace init --ci github`.
# `practrace check --base` fails the pull request when it adds an invalid tag, loses
# evidence, or leaves a process area below its target (.practrace.yaml); the findings show
# as annotations on the pull request and in code scanning.
name: practrace
on:
  pull_request:
permissions:
  contents: read
jobs:
  practrace:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      security-events: write  # the SARIF upload below
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # the history: trailer evidence, and the base to compare with
      - uses: actions/cache@v4
        id: practrace-bin
        with:
          path: ~/.cargo/bin/practrace
          key: practrace-bin-{version}-${{ runner.os }}
      - if: steps.practrace-bin.outputs.cache-hit != 'true'
        run: {install}
      - uses: actions/cache@v4
        with:
          path: ~/.cache/practrace
          key: practrace-${{ github.sha }}
          restore-keys: practrace-
      - name: practrace check
        run: practrace check --base "origin/$BASE_REF" --format github
        env:
          BASE_REF: ${{ github.base_ref }}
      # Code scanning (on a private repository it needs GitHub Advanced Security: remove
      # these two steps without it).
      - if: always()
        run: practrace check --base "origin/$BASE_REF" --format sarif > practrace.sarif
        env:
          BASE_REF: ${{ github.base_ref }}
      - if: always()
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: practrace.sarif
          category: practrace
"#;

const GITLAB: &str = r#"# practrace's gate on every merge request, written by `practrace init --ci gitlab`.
# Include it from .gitlab-ci.yml:
#   include:
#     - local: .gitlab/practrace.yml
# `practrace check --base` fails the merge request when it adds an invalid tag, loses
# evidence, or leaves a process area below its target (.practrace.yaml).
practrace:
  stage: test
  image: rust:1
  variables:
    GIT_DEPTH: 0  # the history: trailer evidence, and the base to compare with
  script:
    - {install}
    - git fetch origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    - practrace check --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" --format sarif > gl-practrace.sarif || true
    - practrace check --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
  artifacts:
    when: always
    paths: [gl-practrace.sarif]
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
"#;
