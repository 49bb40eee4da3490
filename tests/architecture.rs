//! Architecture rules of issue 12, checked on the syntax trees of `src/**/*.rs` (parsed with
//! `syn`, so doc comments and string literals never count):
//!
//! 1. the top-level modules of the library (the `mod x;` items of src/lib.rs) depend on each
//!    other without a cycle (through `crate::`/`super::` paths in `use` trees, expressions,
//!    types and macro bodies, and names src/lib.rs re-exports from a module), so each one can
//!    be read, tested and changed from the bottom up;
//! 2. `git2` is named only under [`GIT2_OWNER`], so libgit2 types stay out of every other
//!    module's signatures and the git backend stays replaceable;
//! 3. no file in src/ is over [`MAX_FILE_LINES`] lines, data files excepted;
//! 4. no function (free, or a method of an impl or trait) outside test code is over
//!    [`MAX_FN_LINES`] lines, from `fn` to its closing brace.
//!
//! The `checker_*` tests at the bottom run each rule on small in-memory sources, to show it
//! can fail. `ARCH_SRC_DIR=/other/checkout/src cargo test --test architecture` checks another
//! source tree with the same rules.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::visit::{self, Visit};

/// The one place `git2` may be named: `src/source/git.rs` or anything under `src/source/git/`.
const GIT2_OWNER: &str = "src/source/git";
const MAX_FILE_LINES: usize = 600;
/// Data files allowed over [`MAX_FILE_LINES`] (paths like `src/x.rs`).
const LONG_DATA_FILES: &[&str] = &[];
const MAX_FN_LINES: usize = 80;

/// A parsed source file and its path from the crate root, like `src/scan.rs`.
struct SourceFile {
    path: String,
    lines: usize,
    ast: syn::File,
}

fn parse(path: &str, text: &str) -> SourceFile {
    let ast = syn::parse_file(text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (path, lines) = (path.to_string(), text.lines().count());
    SourceFile { path, lines, ast }
}

/// Every `.rs` file under the crate's src/ (or `$ARCH_SRC_DIR`), sorted by path.
fn crate_sources() -> Vec<SourceFile> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<SourceFile>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = format!("{rel}/{}", path.file_name().unwrap().to_string_lossy());
            if path.is_dir() {
                walk(&path, &name, out);
            } else if name.ends_with(".rs") {
                out.push(parse(&name, &std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let dir = std::env::var_os("ARCH_SRC_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        PathBuf::from,
    );
    let mut out = Vec::new();
    walk(&dir, "src", &mut out);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn line(span: Span) -> usize {
    span.start().line
}

/// The module path of a library file: `src/a/b.rs` and `src/a/b/mod.rs` are `[a, b]`,
/// `src/lib.rs` is `[]`; None for the binaries (`src/main.rs`, `src/bin/`).
fn module_path(file: &str) -> Option<Vec<String>> {
    let rel = file.strip_prefix("src/")?.strip_suffix(".rs")?;
    if rel == "main" || rel.starts_with("bin/") {
        return None;
    }
    let mut parts: Vec<String> = rel.split('/').map(String::from).collect();
    if parts == ["lib"] || parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    Some(parts)
}

/// A path named in a file, with the module it is named in (inline `mod`s included).
struct Named {
    module: Vec<String>,
    segments: Vec<String>,
    line: usize,
}

/// Collects every path of a file: `use` trees (flattened), expressions, types, patterns,
/// attributes, and `a::b` runs of tokens inside macro calls.
struct Paths {
    module: Vec<String>,
    found: Vec<Named>,
}

impl Paths {
    fn of(file: &SourceFile) -> Vec<Named> {
        let module = module_path(&file.path).unwrap_or_default();
        let mut paths = Paths {
            module,
            found: vec![],
        };
        paths.visit_file(&file.ast);
        paths.found
    }

    fn push(&mut self, segments: Vec<String>, line: usize) {
        let module = self.module.clone();
        self.found.push(Named {
            module,
            segments,
            line,
        });
    }

    /// Flattens a `use` tree; `a::X as Y` is kept as `[a, X, Y]`, ending with its new name.
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        let with = |idents: &[&syn::Ident], this: &mut Self| {
            let mut segments = prefix.clone();
            let named = idents.iter().filter(|i| **i != "self");
            segments.extend(named.map(|i| i.to_string()));
            this.push(segments, line(idents[0].span()));
        };
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => with(&[&n.ident], self),
            syn::UseTree::Rename(r) => with(&[&r.ident, &r.rename], self),
            syn::UseTree::Glob(g) => self.push(prefix.clone(), line(g.star_token.span)),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.use_tree(prefix, t)),
        }
    }

    fn macro_tokens(&mut self, stream: TokenStream) {
        use TokenTree::{Group, Ident, Punct};
        let tokens: Vec<TokenTree> = stream.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                Group(g) => self.macro_tokens(g.stream()),
                Ident(first) => {
                    let mut segments = vec![first.to_string()];
                    while let [Punct(a), Punct(b), Ident(next), ..] = &tokens[i + 1..]
                        && a.as_char() == ':'
                        && b.as_char() == ':'
                    {
                        segments.push(next.to_string());
                        i += 3;
                    }
                    self.push(segments, line(first.span()));
                }
                _ => {}
            }
            i += 1;
        }
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        self.module.push(m.ident.to_string());
        visit::visit_item_mod(self, m);
        self.module.pop();
    }
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &u.tree);
    }
    fn visit_path(&mut self, p: &'ast syn::Path) {
        if let Some(first) = p.segments.first() {
            let segments = p.segments.iter().map(|s| s.ident.to_string()).collect();
            self.push(segments, line(first.ident.span()));
        }
        visit::visit_path(self, p);
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        visit::visit_macro(self, m);
        self.macro_tokens(m.tokens.clone());
    }
}

/// The top-level modules of the library: the `mod x;` items of src/lib.rs.
fn top_level_modules(files: &[SourceFile]) -> BTreeSet<String> {
    let lib = files.iter().find(|f| f.path == "src/lib.rs");
    let lib = lib.expect("src/lib.rs");
    let decl = |item: &syn::Item| match item {
        syn::Item::Mod(m) if m.content.is_none() => Some(m.ident.to_string()),
        _ => None,
    };
    lib.ast.items.iter().filter_map(decl).collect()
}

/// Where a `crate::`, `self::` or `super::` path leads, from the crate root; None otherwise.
fn resolve(module: &[String], segments: &[String]) -> Option<Vec<String>> {
    let (mut at, mut rest) = match segments.first()?.as_str() {
        "crate" => (Vec::new(), &segments[1..]),
        "self" | "super" => (module.to_vec(), segments),
        _ => return None,
    };
    while let Some(first) = rest.first().filter(|s| *s == "self" || *s == "super") {
        if first == "super" {
            at.pop()?;
        }
        rest = &rest[1..];
    }
    at.extend_from_slice(rest);
    Some(at)
}

/// Names that src/lib.rs imports from a top-level module (`pub use m::X;`), so that
/// `crate::X` elsewhere counts as naming `m`: name -> module.
fn root_imports(files: &[SourceFile], modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    let lib = files.iter().find(|f| f.path == "src/lib.rs").unwrap();
    let mut paths = Paths {
        module: vec![],
        found: vec![],
    };
    for item in &lib.ast.items {
        if let syn::Item::Use(u) = item {
            paths.visit_item_use(u);
        }
    }
    let found = paths.found.into_iter();
    let found = found.map(|n| resolve(&[], &n.segments).unwrap_or(n.segments));
    let found = found.filter(|p| p.len() > 1 && modules.contains(&p[0]));
    found
        .map(|p| (p.last().unwrap().clone(), p[0].clone()))
        .collect()
}

/// (from, to) -> "file:line" of the first place `from` names `to`.
type Edges = BTreeMap<(String, String), String>;

fn module_edges(files: &[SourceFile]) -> Edges {
    let modules = top_level_modules(files);
    let imports = root_imports(files, &modules);
    let mut edges = Edges::new();
    for file in files {
        let module = module_path(&file.path).unwrap_or_default();
        let Some(from) = module.first() else { continue };
        for named in Paths::of(file) {
            let to = resolve(&named.module, &named.segments).and_then(|p| p.first().cloned());
            let to = to.map(|to| imports.get(&to).cloned().unwrap_or(to));
            if let Some(to) = to.filter(|to| to != from && modules.contains(to)) {
                let at = format!("{}:{}", file.path, named.line);
                edges.entry((from.clone(), to)).or_insert(at);
            }
        }
    }
    edges
}

/// A shortest chain of modules from `from` to `to`, both included.
fn shortest_path(edges: &Edges, from: &str, to: &str) -> Option<Vec<String>> {
    let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(node) = queue.pop_front() {
        if node == to {
            let mut path = vec![to.to_string()];
            while let Some(p) = parent.get(path.last().unwrap().as_str()) {
                path.push(p.to_string());
            }
            path.reverse();
            return Some(path);
        }
        for (a, b) in edges.keys().filter(|(a, _)| a == node) {
            if b != from && !parent.contains_key(b.as_str()) {
                parent.insert(b, a);
                queue.push_back(b);
            }
        }
    }
    None
}

/// For each edge on a cycle, the cycle made of that edge and a shortest way back, shown as
/// `a -> b -> a` from its smallest module and then where each step is; each cycle once.
fn cycles(edges: &Edges) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (a, b) in edges.keys() {
        let Some(back) = shortest_path(edges, b, a) else {
            continue;
        };
        let mut nodes: Vec<&String> = std::iter::once(a).chain(&back[..back.len() - 1]).collect();
        let smallest = (0..nodes.len()).min_by_key(|&i| nodes[i]).unwrap();
        nodes.rotate_left(smallest);
        nodes.push(nodes[0]);
        let names: Vec<&str> = nodes.iter().map(|n| n.as_str()).collect();
        let mut shown = names.join(" -> ");
        for step in nodes.windows(2) {
            let at = &edges[&(step[0].clone(), step[1].clone())];
            shown += &format!("\n    {} -> {}: {at}", step[0], step[1]);
        }
        found.insert(shown);
    }
    found
}

fn owns_git2(path: &str) -> bool {
    path == format!("{GIT2_OWNER}.rs") || path.starts_with(&format!("{GIT2_OWNER}/"))
}

/// "file:line" of each line outside [`GIT2_OWNER`] that names `git2`.
fn git2_outside_owner(files: &[SourceFile]) -> Vec<String> {
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !owns_git2(&f.path)) {
        let named = Paths::of(file).into_iter();
        let lines: BTreeSet<usize> = named
            .filter(|n| n.segments[0] == "git2")
            .map(|n| n.line)
            .collect();
        found.extend(lines.iter().map(|l| format!("{}:{l}", file.path)));
    }
    found
}

/// "file: N lines" of each file over [`MAX_FILE_LINES`] and not in [`LONG_DATA_FILES`].
fn long_files(files: &[SourceFile]) -> Vec<String> {
    let long = files.iter().filter(|f| f.lines > MAX_FILE_LINES);
    let long = long.filter(|f| !LONG_DATA_FILES.contains(&f.path.as_str()));
    let shown = long.map(|f| format!("{}: {} lines", f.path, f.lines));
    shown.collect()
}

/// Functions outside test code: (name, first line, lines from `fn` to the closing brace).
#[derive(Default)]
struct Functions {
    owner: Vec<String>,
    found: Vec<(String, usize, usize)>,
}

fn is_test_code(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        let cfg_test = matches!(&a.meta, syn::Meta::List(l) if l.tokens.to_string() == "test");
        a.path().is_ident("test") || (a.path().is_ident("cfg") && cfg_test)
    })
}

impl Functions {
    fn record(&mut self, ident: &syn::Ident, sig: &syn::Signature, block: &syn::Block) {
        let mut name = self.owner.clone();
        name.push(ident.to_string());
        let start = line(sig.fn_token.span);
        let len = line(block.brace_token.span.close()) - start + 1;
        self.found.push((name.join("::"), start, len));
    }
}

impl<'ast> Visit<'ast> for Functions {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_test_code(&m.attrs) {
            visit::visit_item_mod(self, m);
        }
    }
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !is_test_code(&f.attrs) {
            self.record(&f.sig.ident, &f.sig, &f.block);
            visit::visit_item_fn(self, f);
        }
    }
    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let name = match &*i.self_ty {
            syn::Type::Path(t) => t.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        if is_test_code(&i.attrs) {
            return;
        }
        self.owner.push(name.unwrap_or_else(|| "_".into()));
        visit::visit_item_impl(self, i);
        self.owner.pop();
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test_code(&f.attrs) {
            self.record(&f.sig.ident, &f.sig, &f.block);
            visit::visit_impl_item_fn(self, f);
        }
    }
    fn visit_item_trait(&mut self, t: &'ast syn::ItemTrait) {
        self.owner.push(t.ident.to_string());
        visit::visit_item_trait(self, t);
        self.owner.pop();
    }
    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(block) = &f.default {
            self.record(&f.sig.ident, &f.sig, block);
        }
        visit::visit_trait_item_fn(self, f);
    }
}

/// "name (file:line): N lines" of each function over [`MAX_FN_LINES`].
fn long_functions(files: &[SourceFile]) -> Vec<String> {
    let mut found = Vec::new();
    for file in files {
        let mut functions = Functions::default();
        functions.visit_file(&file.ast);
        for (name, start, len) in functions.found.into_iter().filter(|f| f.2 > MAX_FN_LINES) {
            found.push(format!("{name} ({}:{start}): {len} lines", file.path));
        }
    }
    found
}

fn assert_none(found: impl IntoIterator<Item = String>, what: &str) {
    let found: Vec<String> = found.into_iter().collect();
    let shown = found.join("\n");
    assert!(found.is_empty(), "{} {what}:\n{shown}", found.len());
}

#[test]
fn no_import_cycles_between_top_level_modules() {
    let found = cycles(&module_edges(&crate_sources()));
    assert_none(found, "import cycle(s) between top-level modules");
}

#[test]
fn git2_only_in_its_owner() {
    let what = format!("line(s) naming git2 outside {GIT2_OWNER}");
    assert_none(git2_outside_owner(&crate_sources()), &what);
}

#[test]
fn no_file_over_600_lines() {
    let what = format!("file(s) over {MAX_FILE_LINES} lines");
    assert_none(long_files(&crate_sources()), &what);
}

#[test]
fn no_function_over_80_lines() {
    let what = format!("function(s) over {MAX_FN_LINES} lines");
    assert_none(long_functions(&crate_sources()), &what);
}

/// In-memory crates; src/lib.rs declares modules a, b and c unless given.
fn files(sources: &[(&str, &str)]) -> Vec<SourceFile> {
    let lib = (
        "src/lib.rs",
        "mod a; mod b; mod c; mod inline { use crate::a; }",
    );
    let has_lib = sources.iter().any(|(p, _)| *p == "src/lib.rs");
    let all = sources.iter().chain((!has_lib).then_some(&lib));
    all.map(|(path, text)| parse(path, text)).collect()
}

fn edge_list(sources: &[(&str, &str)]) -> Vec<String> {
    let edges = module_edges(&files(sources)).into_iter();
    edges.map(|((a, b), at)| format!("{a}->{b} {at}")).collect()
}

#[test]
fn checker_finds_a_cycle_between_two_modules() {
    let found = cycles(&module_edges(&files(&[
        ("src/a.rs", "use crate::b::X;"),
        ("src/b/mod.rs", "mod deep;"),
        ("src/b/deep.rs", "fn f() {\n    crate::a::g();\n}"),
        ("src/c.rs", "use crate::a::Y;"),
    ])));
    let expected = "a -> b -> a\n    a -> b: src/a.rs:1\n    b -> a: src/b/deep.rs:2";
    assert_eq!(found, BTreeSet::from([expected.to_string()]));
    assert!(cycles(&module_edges(&files(&[("src/a.rs", "use crate::b::X;")]))).is_empty());
}

#[test]
fn checker_finds_edges_in_groups_super_paths_types_and_macros() {
    let grouped = [("src/a.rs", "use crate::{b, c::d as e};")];
    assert_eq!(edge_list(&grouped), ["a->b src/a.rs:1", "a->c src/a.rs:1"]);
    let up = "use super::y;\nuse super::super::b::Z;\nmod t { use super::*; }";
    let up = [("src/a/x.rs", up)];
    assert_eq!(edge_list(&up), ["a->b src/a/x.rs:2"]);
    let typed = "struct S(Vec<crate::b::T>);\nfn f() { m!(x, crate::c::U) }";
    let typed = [("src/a.rs", typed)];
    assert_eq!(edge_list(&typed), ["a->b src/a.rs:1", "a->c src/a.rs:2"]);
    let lib = "mod a; mod b; mod c; pub use b::{B, C as D};\nuse crate::c::E;";
    let via_root = [
        ("src/lib.rs", lib),
        ("src/a.rs", "fn f(_: crate::D, _: crate::E) {}"),
    ];
    assert_eq!(edge_list(&via_root), ["a->b src/a.rs:1", "a->c src/a.rs:1"]);
}

#[test]
fn checker_ignores_doc_comments_strings_and_other_crates() {
    let text = "//! Uses crate::b.\n/// See [`crate::c::X`].\nfn f() { let _ = \"crate::b::x\"; }\nuse b::X;";
    assert!(edge_list(&[("src/a.rs", text)]).is_empty());
}

#[test]
fn checker_finds_git2_outside_its_owner() {
    let found = git2_outside_owner(&files(&[
        ("src/source/git.rs", "use git2::Repository;"),
        ("src/source/git/tree.rs", "fn f(_: git2::Oid) {}"),
        ("src/source/gitx.rs", "use git2;"),
        (
            "src/scan.rs",
            "/// git2::Oid\nfn f() {\n    git2::Oid::zero();\n}",
        ),
        ("src/main.rs", "fn main() { dbg!(::git2::Oid::zero()); }"),
    ]));
    let expected = ["src/source/gitx.rs:1", "src/scan.rs:3", "src/main.rs:1"];
    assert_eq!(found, expected);
}

#[test]
fn checker_finds_long_files() {
    let text = |n: usize| "\n".repeat(n - 1) + "fn f() {}\n";
    let (long, ok) = (text(MAX_FILE_LINES + 1), text(MAX_FILE_LINES));
    let found = long_files(&files(&[("src/a.rs", &long), ("src/b.rs", &ok)]));
    assert_eq!(found, [format!("src/a.rs: {} lines", MAX_FILE_LINES + 1)]);
}

#[test]
fn checker_finds_functions_over_80_lines_outside_tests() {
    // A function of `n` lines from `fn` to `}`.
    let function = |name: &str, n: usize| format!("fn {name}() {{{}}}\n", "\n".repeat(n - 1));
    let text = format!(
        "{}{}impl S {{\n{}}}\ntrait T {{\n{}}}\n#[test]\n{}#[cfg(test)]\nmod tests {{\n{}}}\n",
        function("long", 81),
        function("fits", 80),
        function("method", 90),
        function("provided", 85),
        function("a_test", 200),
        function("in_tests", 200),
    );
    let found = long_functions(&files(&[("src/a.rs", &text)]));
    let expected = [
        "long (src/a.rs:1): 81 lines",
        "S::method (src/a.rs:163): 90 lines",
        "T::provided (src/a.rs:255): 85 lines",
    ];
    assert_eq!(found, expected);
}
