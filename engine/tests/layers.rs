//! The module graph of `engine/src` points one way: no two modules use each other, directly
//! or around a loop, and the top-level modules keep the layer order of [`LAYERS`] (written
//! down in `docs/architecture.md`, "Layers").
//!
//! It reads the sources as text, with std only: comments, strings and `#[cfg(test)]` items
//! are blanked, then every `crate::`, `super::` and `self::` path (in `use` trees and in
//! code) is resolved to the module that defines it, following `pub use` re-exports, so that
//! `crate::stats::Percentiles` counts as a use of the file that defines `Percentiles`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::Path;

/// The top-level modules of `engine/src`, from the top layer down. A module may use only
/// modules of the layers below its own, never one of its own layer or above. A new
/// top-level module goes here.
const LAYERS: &[&[&str]] = &[
    &["cli"],
    // The outputs of a run, and the live view that reads its ticks.
    &["report"],
    // The run API: a plan started, its ticks, its control.
    &["run"],
    &["load"],
    // The VU's life; the demo target; `horde new`.
    &["vu", "target", "scaffold"],
    &["host"],
    &["scenario", "summary"],
    &["thresholds"],
    &["stats", "http", "data", "shared"],
    // Leaves: rules more than one module needs, using nothing of the crate.
    &["units", "metric"],
];

/// Cycles that are known and being fixed elsewhere: (module, one of its submodules, another;
/// `crate` for the top-level modules). Uses between the two are not counted, and the test
/// fails once the pair no longer needs its entry. None today: keep it that way.
const ALLOWED_CYCLES: &[(&str, &str, &str)] = &[];

/// Where the sources are, and the file a failure tells to edit.
const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
const THIS_FILE: &str = "engine/tests/layers.rs";

type ModPath = Vec<String>;

/// One use of another module: where it is written and what it names.
#[derive(Debug, Clone)]
struct Edge {
    from: ModPath,
    to: ModPath,
    file: String,
    line: usize,
    path: String,
}

/// The crate's modules and the uses between them.
#[derive(Debug, Default)]
struct Graph {
    modules: BTreeSet<ModPath>,
    edges: Vec<Edge>,
}

#[test]
fn no_cycles_between_modules() {
    let graph = Graph::of(&read_sources(Path::new(SRC)));
    let report = check_cycles(&graph, ALLOWED_CYCLES);
    assert!(report.is_empty(), "{report}");
}

#[test]
fn top_level_modules_follow_the_layer_table() {
    let graph = Graph::of(&read_sources(Path::new(SRC)));
    let report = check_layers(&graph, LAYERS, ALLOWED_CYCLES);
    assert!(report.is_empty(), "{report}");
}

/// Every `.rs` file under `dir` as (path relative to `src`, text), except the binary's root.
fn read_sources(dir: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .map(|e| e.expect("a directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).expect("under the root");
                let rel = rel.to_string_lossy().replace('\\', "/");
                if rel != "main.rs" {
                    let text = std::fs::read_to_string(&path)
                        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
                    out.push((rel, text));
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

/// `stats/hub.rs` → `[stats, hub]`, `stats/mod.rs` → `[stats]`, `lib.rs` → `[]`.
fn module_of_file(rel: &str) -> ModPath {
    let mut parts: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

fn show(module: &[String]) -> String {
    if module.is_empty() {
        "crate".to_string()
    } else {
        module.join("::")
    }
}

/// The source with comments, string and char literals replaced by spaces (newlines kept, so
/// line numbers stay right).
fn strip_comments_and_strings(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    let is_ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        let next = c.get(i + 1).copied();
        let after_ident = i > 0 && is_ident(c[i - 1]);
        if ch == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if ch == '/' && next == Some('*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
        } else if ch == 'r'
            && (!after_ident || (c[i - 1] == 'b' && (i < 2 || !is_ident(c[i - 2]))))
            && {
                let hashes = c[i + 1..].iter().take_while(|&&h| h == '#').count();
                c.get(i + 1 + hashes) == Some(&'"')
            }
        {
            let hashes = c[i + 1..].iter().take_while(|&&h| h == '#').count();
            let body = i + 2 + hashes;
            let mut end = body;
            while end < c.len()
                && !(c[end] == '"'
                    && c[end + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&h| h == '#')
                        .count()
                        == hashes)
            {
                end += 1;
            }
            let end = (end + 1 + hashes).min(c.len());
            for &x in &c[i..end] {
                blank(&mut out, x);
            }
            i = end;
        } else if ch == '"' {
            let mut j = i + 1;
            while j < c.len() && c[j] != '"' {
                j += if c[j] == '\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(c.len());
            for &x in &c[i..end] {
                blank(&mut out, x);
            }
            i = end;
        } else if ch == '\'' && next == Some('\\') {
            let mut j = i + 3;
            while j < c.len() && c[j] != '\'' {
                j += 1;
            }
            let end = (j + 1).min(c.len());
            for &x in &c[i..end] {
                blank(&mut out, x);
            }
            i = end;
        } else if ch == '\'' && c.get(i + 2) == Some(&'\'') {
            out.push_str("   ");
            i += 3;
        } else {
            out.push(ch);
            i += 1;
        }
    }
    out
}

/// Blanks every item under `#[cfg(test)]`; returns the text and the names of the modules
/// declared there as files (`#[cfg(test)] mod fixture;`), which are test code too.
fn strip_test_items(text: &str) -> (String, Vec<String>) {
    const ATTR: &str = "#[cfg(test)]";
    let mut out: Vec<char> = text.chars().collect();
    let mut test_modules = Vec::new();
    let mut from = 0;
    loop {
        let s: String = out.iter().collect();
        let Some(at) = s[from..].find(ATTR).map(|p| p + from) else {
            break;
        };
        // Work in chars: the stripped text may hold non-ASCII identifiers.
        let start = s[..at].chars().count();
        let chars = &out;
        let mut i = start + ATTR.chars().count();
        let mut depth = 0i32;
        let mut end = chars.len();
        while i < chars.len() {
            match chars[i] {
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                ';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                '{' if depth == 0 => {
                    let mut braces = 0;
                    while i < chars.len() {
                        match chars[i] {
                            '{' => braces += 1,
                            '}' => {
                                braces -= 1;
                                if braces == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        i += 1;
                    }
                    end = (i + 1).min(chars.len());
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        let item: String = out[start..end].iter().collect();
        let words: Vec<&str> = item
            .split(|ch: char| !(ch.is_alphanumeric() || ch == '_' || ch == ';'))
            .filter(|w| !w.is_empty())
            .collect();
        if let Some(pos) = words.iter().position(|w| *w == "mod")
            && let Some(name) = words.get(pos + 1)
            && (name.ends_with(';') || words.get(pos + 2) == Some(&";"))
        {
            test_modules.push(name.trim_end_matches(';').to_string());
        }
        for ch in &mut out[start..end] {
            if *ch != '\n' {
                *ch = ' ';
            }
        }
        from = out[..end].iter().map(|c| c.len_utf8()).sum();
    }
    (out.into_iter().collect(), test_modules)
}

/// Identifiers, `::` and single punctuation characters, each with its line.
fn tokens(text: &str) -> Vec<(String, usize)> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch.is_alphanumeric() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push((c[start..i].iter().collect(), line));
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push(("::".to_string(), line));
            i += 2;
        } else {
            out.push((ch.to_string(), line));
            i += 1;
        }
    }
    out
}

/// One path found in a file: its segments, its line, and for a `pub use` the name it is
/// re-exported under.
struct Found {
    segments: Vec<String>,
    line: usize,
    reexport_as: Option<String>,
}

/// Reads a `use` tree from `toks[*i]` on, pushing each leaf path.
fn use_tree(
    toks: &[(String, usize)],
    i: &mut usize,
    prefix: Vec<String>,
    public: bool,
    out: &mut Vec<Found>,
) {
    let mut path = prefix;
    while *i < toks.len() {
        let (tok, line) = (&toks[*i].0, toks[*i].1);
        match tok.as_str() {
            "{" => {
                *i += 1;
                while *i < toks.len() && toks[*i].0 != "}" {
                    use_tree(toks, i, path.clone(), public, out);
                    if *i < toks.len() && toks[*i].0 == "," {
                        *i += 1;
                    }
                }
                *i += 1;
                return;
            }
            "*" => {
                *i += 1;
                out.push(Found {
                    segments: path,
                    line,
                    reexport_as: None,
                });
                return;
            }
            "::" => *i += 1,
            "," | "}" | ";" => return,
            word => {
                path.push(word.to_string());
                *i += 1;
                if toks.get(*i).is_some_and(|t| t.0 == "::") {
                    continue;
                }
                let mut name = word.to_string();
                if toks.get(*i).is_some_and(|t| t.0 == "as") {
                    name = toks.get(*i + 1).map(|t| t.0.clone()).unwrap_or_default();
                    *i += 2;
                }
                if path.last().is_some_and(|s| s == "self") {
                    path.pop();
                    name = path.last().cloned().unwrap_or_default();
                }
                out.push(Found {
                    segments: path,
                    line,
                    reexport_as: public.then_some(name),
                });
                return;
            }
        }
    }
}

/// The paths of one file: `use` trees (with whether they are `pub`) and paths in code that
/// start with `crate`, `super`, `self` or a name in `children`.
fn paths_in(text: &str, children: &BTreeSet<String>) -> Vec<Found> {
    let toks = tokens(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let tok = toks[i].0.as_str();
        let after_colons = i > 0 && toks[i - 1].0 == "::";
        if tok == "use" && !after_colons {
            let public = (i >= 1 && toks[i - 1].0 == "pub")
                || (i >= 4 && toks[i - 1].0 == ")" && toks[i - 4].0 == "pub");
            i += 1;
            use_tree(&toks, &mut i, Vec::new(), public, &mut out);
            while i < toks.len() && toks[i].0 != ";" {
                i += 1;
            }
            continue;
        }
        let starts_path = matches!(tok, "crate" | "super" | "self") || children.contains(tok);
        if starts_path && !after_colons && toks.get(i + 1).is_some_and(|t| t.0 == "::") {
            let line = toks[i].1;
            let mut segments = vec![tok.to_string()];
            i += 1;
            while i + 1 < toks.len() && toks[i].0 == "::" {
                let next = &toks[i + 1].0;
                if !next.chars().all(|ch| ch.is_alphanumeric() || ch == '_') {
                    break;
                }
                segments.push(next.clone());
                i += 2;
            }
            out.push(Found {
                segments,
                line,
                reexport_as: None,
            });
            continue;
        }
        i += 1;
    }
    out
}

impl Graph {
    /// The graph of the given sources (path relative to `src`, text).
    fn of(sources: &[(String, String)]) -> Graph {
        struct File {
            rel: String,
            module: ModPath,
            text: String,
        }
        let mut files = Vec::new();
        let mut test_only: BTreeSet<ModPath> = BTreeSet::new();
        for (rel, text) in sources {
            let module = module_of_file(rel);
            let (text, tests) = strip_test_items(&strip_comments_and_strings(text));
            for name in tests {
                let mut m = module.clone();
                m.push(name);
                test_only.insert(m);
            }
            files.push(File {
                rel: rel.clone(),
                module,
                text,
            });
        }
        files.retain(|f| !test_only.iter().any(|t| f.module.starts_with(t)));
        let modules: BTreeSet<ModPath> = files.iter().map(|f| f.module.clone()).collect();
        let children_of = |m: &ModPath| -> BTreeSet<String> {
            modules
                .iter()
                .filter(|c| c.len() == m.len() + 1 && c.starts_with(m))
                .map(|c| c[m.len()].clone())
                .collect()
        };
        let found: Vec<Vec<Found>> = files
            .iter()
            .map(|f| paths_in(&f.text, &children_of(&f.module)))
            .collect();
        // The items each module re-exports, by name, as absolute paths.
        let mut reexports: BTreeMap<ModPath, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        for (f, paths) in files.iter().zip(&found) {
            let children = children_of(&f.module);
            for p in paths {
                if let Some(name) = &p.reexport_as
                    && let Some(abs) = absolute(&f.module, &p.segments, &children)
                {
                    reexports
                        .entry(f.module.clone())
                        .or_default()
                        .insert(name.clone(), abs);
                }
            }
        }
        let defining = |abs: &[String]| -> ModPath {
            let mut abs = abs.to_vec();
            for _ in 0..16 {
                let mut k = abs.len();
                while k > 0 && !modules.contains(&abs[..k]) {
                    k -= 1;
                }
                let module = abs[..k].to_vec();
                match abs
                    .get(k)
                    .and_then(|name| reexports.get(&module)?.get(name))
                {
                    Some(target) if target.as_slice() != abs.as_slice() => {
                        let mut next = target.clone();
                        next.extend_from_slice(&abs[k + 1..]);
                        abs = next;
                    }
                    _ => return module,
                }
            }
            panic!("re-exports of {} go round in a loop", abs.join("::"));
        };
        let mut edges = Vec::new();
        for (f, paths) in files.iter().zip(&found) {
            let children = children_of(&f.module);
            for p in paths {
                let Some(abs) = absolute(&f.module, &p.segments, &children) else {
                    continue;
                };
                edges.push(Edge {
                    from: f.module.clone(),
                    to: defining(&abs),
                    file: format!("engine/src/{}", f.rel),
                    line: p.line,
                    path: p.segments.join("::"),
                });
            }
        }
        Graph { modules, edges }
    }
}

/// The absolute path of `segments` as written in module `from`, or None for another
/// crate's path.
fn absolute(
    from: &[String],
    segments: &[String],
    children: &BTreeSet<String>,
) -> Option<Vec<String>> {
    let first = segments.first()?.as_str();
    let (mut abs, rest) = match first {
        "crate" => (Vec::new(), &segments[1..]),
        "self" => (from.to_vec(), &segments[1..]),
        "super" => {
            let mut abs = from.to_vec();
            let mut rest = segments;
            while rest.first().is_some_and(|s| s == "super") {
                abs.pop()?;
                rest = &rest[1..];
            }
            (abs, rest)
        }
        child if children.contains(child) => (from.to_vec(), segments),
        _ => return None,
    };
    abs.extend(rest.iter().cloned());
    Some(abs)
}

/// For module `folder`, the uses between its direct submodules: (from, to) → the edges.
fn sibling_edges<'g>(
    graph: &'g Graph,
    folder: &[String],
) -> BTreeMap<(String, String), Vec<&'g Edge>> {
    let n = folder.len();
    let mut out: BTreeMap<(String, String), Vec<&Edge>> = BTreeMap::new();
    for e in &graph.edges {
        if e.from.len() > n
            && e.to.len() > n
            && e.from.starts_with(folder)
            && e.to.starts_with(folder)
            && e.from[n] != e.to[n]
        {
            out.entry((e.from[n].clone(), e.to[n].clone()))
                .or_default()
                .push(e);
        }
    }
    out
}

/// Every cycle among the submodules of any one module (the crate's top-level modules
/// included), each as the chain of modules and the file and line of each use; empty when
/// there is none.
fn check_cycles(graph: &Graph, allowed: &[(&str, &str, &str)]) -> String {
    let mut report = String::new();
    let mut folders: Vec<ModPath> = vec![Vec::new()];
    folders.extend(graph.modules.iter().filter(|m| !m.is_empty()).cloned());
    for folder in folders {
        let mut edges = sibling_edges(graph, &folder);
        for &(at, a, b) in allowed {
            if show(&folder) != at {
                continue;
            }
            let there = |x: &str, y: &str| edges.contains_key(&(x.to_string(), y.to_string()));
            if !(there(a, b) && there(b, a)) {
                let _ = writeln!(
                    report,
                    "{at}: {a} and {b} no longer use each other; remove their entry from ALLOWED_CYCLES in {THIS_FILE}\n"
                );
            }
            edges.remove(&(a.to_string(), b.to_string()));
            edges.remove(&(b.to_string(), a.to_string()));
        }
        for cycle in cycles(&edges) {
            let prefix = |m: &str| {
                let mut p = folder.clone();
                p.push(m.to_string());
                show(&p)
            };
            let names: Vec<String> = cycle.iter().map(|m| prefix(m)).collect();
            let _ = writeln!(report, "a cycle: {} -> {}", names.join(" -> "), names[0]);
            for (k, from) in cycle.iter().enumerate() {
                let to = &cycle[(k + 1) % cycle.len()];
                let uses = &edges[&(from.clone(), to.clone())];
                let e = uses[0];
                let more = match uses.len() {
                    1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                };
                let _ = writeln!(
                    report,
                    "  {} -> {}: {}:{} uses {}{more}",
                    prefix(from),
                    prefix(to),
                    e.file,
                    e.line,
                    e.path
                );
            }
            let _ = writeln!(
                report,
                "  one of these uses must go: move what both need into a module below both\n"
            );
        }
    }
    report
}

/// One shortest cycle per strongly connected group of more than one node.
fn cycles(edges: &BTreeMap<(String, String), Vec<&Edge>>) -> Vec<Vec<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges.keys() {
        next.entry(a).or_default().push(b);
        next.entry(b).or_default();
    }
    let reach = |from: &str| -> BTreeMap<String, Option<String>> {
        // Breadth first, so the path back is a shortest one: node → the node it came from.
        let mut seen: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut queue = VecDeque::from([from.to_string()]);
        seen.insert(from.to_string(), None);
        while let Some(n) = queue.pop_front() {
            for &m in next.get(n.as_str()).into_iter().flatten() {
                if !seen.contains_key(m) {
                    seen.insert(m.to_string(), Some(n.clone()));
                    queue.push_back(m.to_string());
                }
            }
        }
        seen
    };
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut found: BTreeSet<Vec<String>> = BTreeSet::new();
    for &start in next.keys() {
        if done.contains(start) {
            continue;
        }
        let from_start = reach(start);
        let group: BTreeSet<String> = from_start
            .keys()
            .filter(|m| reach(m).contains_key(start))
            .cloned()
            .collect();
        done.extend(group.iter().cloned());
        if group.len() < 2 {
            continue;
        }
        // Through each node of the group, the shortest way back to it: a group may hold
        // several cycles, and each needs its own fix.
        for node in &group {
            let node = node.as_str();
            let cycle = next[node]
                .iter()
                .filter(|m| group.contains(**m))
                .map(|&m| {
                    let from_m = reach(m);
                    let mut tail = Vec::new();
                    let mut at = node.to_string();
                    while let Some(Some(prev)) = from_m.get(&at) {
                        tail.push(prev.clone());
                        at = prev.clone();
                    }
                    tail.reverse();
                    let mut chain = vec![node.to_string()];
                    chain.extend(tail);
                    chain
                })
                .min_by_key(Vec::len)
                .expect("a node of a group of two or more has an edge inside it");
            // The same cycle found from another of its nodes starts at its smallest.
            let first = (0..cycle.len()).min_by_key(|&k| &cycle[k]).unwrap_or(0);
            let mut rotated = cycle[first..].to_vec();
            rotated.extend_from_slice(&cycle[..first]);
            found.insert(rotated);
        }
    }
    found.into_iter().collect()
}

/// Each use between top-level modules that does not point to a lower layer, and each
/// top-level module missing from (or only in) the layer table.
fn check_layers(graph: &Graph, layers: &[&[&str]], allowed: &[(&str, &str, &str)]) -> String {
    let mut report = String::new();
    let level: BTreeMap<&str, usize> = layers
        .iter()
        .enumerate()
        .flat_map(|(k, names)| names.iter().map(move |n| (*n, k)))
        .collect();
    let top: BTreeSet<&str> = graph
        .modules
        .iter()
        .filter(|m| m.len() == 1)
        .map(|m| m[0].as_str())
        .collect();
    for m in &top {
        if !level.contains_key(m) {
            let _ = writeln!(
                report,
                "engine/src/{m} is a top-level module the layer table does not know: add `{m}` to LAYERS in {THIS_FILE}, in the layer it belongs to (and to the Layers section of docs/architecture.md)"
            );
        }
    }
    for name in level.keys() {
        if !top.contains(name) {
            let _ = writeln!(
                report,
                "LAYERS in {THIS_FILE} names `{name}`, which is not a module of engine/src: remove it"
            );
        }
    }
    let edges = sibling_edges(graph, &[]);
    for ((from, to), uses) in &edges {
        let (Some(&a), Some(&b)) = (level.get(from.as_str()), level.get(to.as_str())) else {
            continue;
        };
        let pair_allowed = allowed
            .iter()
            .any(|&(at, x, y)| at == "crate" && ([x, y] == [from, to] || [y, x] == [from, to]));
        if a >= b && !pair_allowed {
            let e = uses[0];
            let _ = writeln!(
                report,
                "{from} (layer {a}) uses {to} (layer {b}), which is not below it: {}:{} uses {}{}",
                e.file,
                e.line,
                e.path,
                match uses.len() {
                    1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                }
            );
        }
    }
    report
}

// The checker itself, on small made-up crates: each test shows a way the check must fail.
fn graph_of(files: &[(&str, &str)]) -> Graph {
    let sources: Vec<(String, String)> = files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    Graph::of(&sources)
}

#[test]
fn a_cycle_between_top_level_modules_is_reported_with_its_uses() {
    let graph = graph_of(&[
        ("lib.rs", "pub mod a;\npub mod b;\n"),
        ("a.rs", "use crate::b::B;\npub struct A;\n"),
        ("b.rs", "pub struct B;\nfn f() { let _ = crate::a::A; }\n"),
    ]);
    let report = check_cycles(&graph, &[]);
    assert!(report.contains("a cycle: a -> b -> a"), "{report}");
    assert!(
        report.contains("a -> b: engine/src/a.rs:1 uses crate::b::B"),
        "{report}"
    );
    assert!(
        report.contains("b -> a: engine/src/b.rs:2 uses crate::a::A"),
        "{report}"
    );
}

#[test]
fn a_cycle_through_a_reexport_and_super_is_found_between_siblings() {
    // measured uses summary's type through the folder's re-export; summary uses measured.
    let graph = graph_of(&[
        ("lib.rs", "pub mod stats;\n"),
        (
            "stats/mod.rs",
            "mod measured;\nmod summary;\npub use summary::{ErrorSummary, Percentiles as P};\n",
        ),
        ("stats/measured.rs", "use super::P;\npub fn m() {}\n"),
        (
            "stats/summary.rs",
            "pub struct ErrorSummary;\npub struct Percentiles;\nfn f() { super::measured::m() }\n",
        ),
    ]);
    let report = check_cycles(&graph, &[]);
    assert!(
        report.contains("a cycle: stats::measured -> stats::summary -> stats::measured"),
        "{report}"
    );
    assert!(
        report.contains("engine/src/stats/measured.rs:1 uses super::P"),
        "{report}"
    );
}

#[test]
fn a_longer_cycle_is_reported_as_its_chain() {
    let graph = graph_of(&[
        ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n"),
        ("a.rs", "use crate::b;\n"),
        ("b.rs", "use crate::c::{self, X};\n"),
        ("c.rs", "pub struct X;\npub(crate) use crate::a::*;\n"),
    ]);
    let report = check_cycles(&graph, &[]);
    assert!(report.contains("a cycle: a -> b -> c -> a"), "{report}");
}

#[test]
fn comments_strings_and_test_code_make_no_edges() {
    let graph = graph_of(&[
        (
            "lib.rs",
            "pub mod a;\npub mod b;\n#[cfg(test)]\nmod fixture;\n",
        ),
        ("a.rs", "use crate::b::B;\n"),
        (
            "b.rs",
            "//! Uses [`crate::a`] in words.\npub struct B;\n/* crate::a::A */\nconst S: &str = \"crate::a::A\";\nconst R: &str = r#\"crate::a\"#;\nfn f<'a>(x: &'a str) -> char { 'a' }\n#[cfg(test)]\nmod tests {\n    use crate::a;\n    fn g() { crate::a::h() }\n}\n",
        ),
        ("fixture.rs", "use crate::b;\nuse crate::a;\n"),
    ]);
    assert_eq!(check_cycles(&graph, &[]), "");
    assert!(graph.modules.iter().all(|m| m != &["fixture".to_string()]));
}

#[test]
fn an_allowed_cycle_is_skipped_until_it_is_gone() {
    let cyclic = graph_of(&[
        ("lib.rs", "pub mod host;\n"),
        ("host/mod.rs", "mod state;\nmod wasi;\n"),
        ("host/state.rs", "use super::wasi::W;\npub struct S;\n"),
        ("host/wasi.rs", "use super::state::S;\npub struct W;\n"),
    ]);
    assert!(!check_cycles(&cyclic, &[]).is_empty());
    assert_eq!(check_cycles(&cyclic, &[("host", "state", "wasi")]), "");
    let fixed = graph_of(&[
        ("lib.rs", "pub mod host;\n"),
        ("host/mod.rs", "mod state;\nmod wasi;\n"),
        ("host/state.rs", "pub struct S;\n"),
        ("host/wasi.rs", "use super::state::S;\npub struct W;\n"),
    ]);
    let report = check_cycles(&fixed, &[("host", "state", "wasi")]);
    assert!(
        report.contains("remove their entry from ALLOWED_CYCLES"),
        "{report}"
    );
}

#[test]
fn a_use_upwards_and_an_unknown_module_fail_the_layer_check() {
    let graph = graph_of(&[
        ("lib.rs", "pub mod cli;\npub mod run;\npub mod units;\n"),
        ("cli.rs", "use crate::run::go;\n"),
        ("run.rs", "pub fn go() {}\n"),
        ("units.rs", "fn f() { crate::cli::main() }\n"),
    ]);
    let report = check_layers(&graph, &[&["cli"], &["units"]], &[]);
    assert!(
        report.contains("add `run` to LAYERS in engine/tests/layers.rs"),
        "{report}"
    );
    assert!(
        report.contains("units (layer 1) uses cli (layer 0), which is not below it: engine/src/units.rs:1 uses crate::cli::main"),
        "{report}"
    );
    assert_eq!(
        check_layers(&graph, &[&["cli"], &["run"], &["units"]], &[])
            .lines()
            .count(),
        1
    );
}
