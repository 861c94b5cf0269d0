//! Chapter "Lazy initialization": `src/techniques/lazy-init.md`. Bench:
//! `benches/lazy_init.rs`. Program: `examples/lazy_init.rs`.

use std::hint::black_box;
use std::sync::OnceLock;

use minijinja::{Environment, Value, context};
use workshop::measure::{Group, Runner};

pub const CHAPTER: &str = "lazy_init";

/// Renders one run of the program does, as in the seed.
pub const RENDERS: usize = 10_000;

// ANCHOR: pages
/// The site's templates. A real site reads dozens from disk; these few, held in memory,
/// are enough to show what parsing costs. Each request renders only `book.html`.
pub const PAGES: [(&str, &str); 4] = [
    (
        "book.html",
        r#"<article class="book">
  <h1>{{ title | title }}</h1>
  <p class="by">by {{ author }}{% if year %}, {{ year }}{% endif %}</p>
  <p class="isbn">ISBN {{ isbn }}</p>
  {% if tags %}<ul class="tags">{% for tag in tags %}
    <li class="{{ loop.cycle('odd', 'even') }}">{{ tag | upper }}</li>{% endfor %}
  </ul>{% endif %}
  <p class="copies">{% if copies > 1 %}{{ copies }} copies{% else %}last copy{% endif %}</p>
</article>"#,
    ),
    (
        "author.html",
        r#"<section class="author"><h1>{{ name }}</h1>
  {% for book in books %}<p>{{ loop.index }}. {{ book.title }} ({{ book.year }})</p>
  {% else %}<p>No books yet.</p>{% endfor %}
  {% if bio %}<div class="bio">{{ bio | trim }}</div>{% endif %}</section>"#,
    ),
    (
        "search.html",
        r#"<section class="results"><h1>{{ results | length }} results for "{{ query }}"</h1>
  {% for r in results %}<div class="{{ loop.cycle('a', 'b') }}">
    <a href="/book/{{ r.isbn }}">{{ r.title }}</a> by {{ r.author | default('unknown') }}
  </div>{% endfor %}
  {% if page > 1 %}<a href="?q={{ query }}&page={{ page - 1 }}">previous</a>{% endif %}
  <a href="?q={{ query }}&page={{ page + 1 }}">next</a></section>"#,
    ),
    (
        "error.html",
        r#"<section class="error"><h1>{{ code }}: {{ message | default('something went wrong') }}</h1>
  {% if code == 404 %}<p>No such page: {{ path }}</p>{% else %}<p>Try again later.</p>{% endif %}
  {% for hint in hints %}<p class="hint">{{ hint }}</p>{% endfor %}</section>"#,
    ),
];
// ANCHOR_END: pages

/// The page every request renders.
pub const BOOK_PAGE: &str = "book.html";

/// The page called `name`, with its name as the `'static` string the environment keeps.
fn page(name: &str) -> (&'static str, &'static str) {
    *PAGES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no page named {name}"))
}

/// What request number `i` shows.
pub fn book_context(i: usize) -> Value {
    context! {
        title => "the go programming language",
        author => "Alan A. A. Donovan and Brian W. Kernighan",
        year => 2015,
        isbn => "978-0134190440",
        tags => ["go", "programming", "concurrency"],
        copies => i % 4,
    }
}

// ANCHOR: parse
/// Parsing: minijinja compiles the template's source into instructions when it is added.
/// The templates are part of the program: one that does not parse is a bug, not an input
/// error, hence `expect`.
pub fn parse(names: &[&str]) -> Environment<'static> {
    let mut env = Environment::new();
    for name in names {
        let (name, source) = page(name);
        env.add_template(name, source)
            .expect("the site's templates parse");
    }
    env
}

/// Rendering a parsed template: fill in the values, produce the page. A `Value` is
/// passed to `render` as it is, without being serialized again (minijinja's docs), so the
/// request's context is borrowed, not rebuilt.
pub fn render(env: &Environment<'_>, name: &str, ctx: &Value) -> String {
    env.get_template(name)
        .and_then(|template| template.render(ctx))
        .expect("the site's templates render")
}
// ANCHOR_END: parse

// ANCHOR: v1
/// v1: parse the template on every call. Nothing is done before it is needed, and the
/// same work is done again for every request.
pub fn render_v1(name: &str, ctx: &Value) -> String {
    let env = parse(&[name]);
    render(&env, name, ctx)
}
// ANCHOR_END: v1

// ANCHOR: v2
/// v2: parse every page once, at start-up, before the first request: each request only
/// renders, but the program is not ready until all pages are parsed, used or not.
pub fn start_v2() -> Environment<'static> {
    let names: Vec<&str> = PAGES.iter().map(|(name, _)| *name).collect();
    parse(&names)
}
// ANCHOR_END: v2

// ANCHOR: v3
/// v3: each page parsed the first time a request needs it, and never again. A
/// `OnceLock` per page: `get_or_init` runs the closure once (if several threads call it at
/// once, one parses and the others wait for its result) and returns the stored value
/// ever after.
pub struct LazySite {
    pages: [OnceLock<Environment<'static>>; PAGES.len()],
}

impl LazySite {
    /// Costs nothing: no page is parsed yet.
    pub const fn new() -> Self {
        LazySite {
            pages: [const { OnceLock::new() }; PAGES.len()],
        }
    }

    pub fn render(&self, name: &str, ctx: &Value) -> String {
        let index = PAGES
            .iter()
            .position(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no page named {name}"));
        let env = self.pages[index].get_or_init(|| parse(&[name]));
        render(env, name, ctx)
    }
}

impl Default for LazySite {
    fn default() -> Self {
        Self::new()
    }
}
// ANCHOR_END: v3

// ANCHOR: run
/// The seed's three programs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// Parse on every call.
    V1,
    /// Parse everything at start-up.
    V2,
    /// Parse on first use.
    V3,
}

pub const USAGE: &str = "usage: lazy_init v1|v2|v3
  v1  parse the template on every call
  v2  parse every template once, at start-up
  v3  parse each template on first use (OnceLock)";

/// The program's arguments: exactly one version.
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Version, String> {
    let mut args = args.into_iter();
    let version = match (args.next().as_deref(), args.next()) {
        (Some("v1"), None) => Version::V1,
        (Some("v2"), None) => Version::V2,
        (Some("v3"), None) => Version::V3,
        (None, _) => return Err("missing version".to_string()),
        (Some(other), None) => return Err(format!("unknown version {other:?}")),
        (Some(_), Some(extra)) => return Err(format!("unexpected argument {extra:?}")),
    };
    Ok(version)
}

/// A started program, ready for requests.
// One `Site` per program, made once and never moved in a loop: the size of its largest
// variant (v3's four cells) costs nothing, and boxing it would add an allocation to v3's
// start-up that the other versions do not have.
#[allow(clippy::large_enum_variant)]
pub enum Site {
    V1,
    V2(Environment<'static>),
    V3(LazySite),
}

impl Site {
    /// Start-up: v2 parses every page here, v1 and v3 nothing.
    pub fn start(version: Version) -> Site {
        match version {
            Version::V1 => Site::V1,
            Version::V2 => Site::V2(start_v2()),
            Version::V3 => Site::V3(LazySite::new()),
        }
    }

    /// One request: the book page, rendered with the request's values.
    pub fn serve(&self, ctx: &Value) -> String {
        match self {
            Site::V1 => render_v1(BOOK_PAGE, ctx),
            Site::V2(env) => render(env, BOOK_PAGE, ctx),
            Site::V3(site) => site.render(BOOK_PAGE, ctx),
        }
    }
}

/// The program: start, then serve one request per context. Returns the bytes rendered,
/// so that nothing can be optimized away.
pub fn run(version: Version, requests: &[Value]) -> usize {
    let site = Site::start(version);
    requests.iter().map(|ctx| site.serve(ctx).len()).sum()
}
// ANCHOR_END: run

// ANCHOR: cases
pub fn cases<R: Runner>(r: &mut R) {
    // The requests' values are made before anything is timed: building a context is the
    // same work in every version, and not what this chapter compares.
    let requests: Vec<Value> = (0..RENDERS).map(book_context).collect();
    let one = &requests[1];

    // One request, with and without parsing.
    let mut g = r.group("render");
    g.case("parse_and_render", None, || {
        render_v1(BOOK_PAGE, black_box(one))
    });
    let env = start_v2();
    g.case("render_parsed", None, || {
        render(&env, BOOK_PAGE, black_box(one))
    });
    g.finish();

    // From start to the first page served: what a user waiting on a fresh process sees.
    // The started site and the page are dropped outside the timed region.
    let mut g = r.group("first_render");
    for (version, name) in [
        (Version::V1, "v1"),
        (Version::V2, "v2"),
        (Version::V3, "v3"),
    ] {
        g.case_with_large_drop(name, None, || {
            let site = Site::start(black_box(version));
            let page = site.serve(black_box(one));
            (site, page)
        });
    }
    g.finish();

    // The whole program: start-up and 10,000 requests.
    let mut g = r.group("program");
    g.slow();
    for (version, name) in [
        (Version::V1, "v1"),
        (Version::V2, "v2"),
        (Version::V3, "v3"),
    ] {
        g.case(name, None, || run(black_box(version), black_box(&requests)));
    }
    g.finish();
}
// ANCHOR_END: cases

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_renders_the_same_page() {
        let env = start_v2();
        let site = LazySite::new();
        for i in 0..5 {
            let ctx = book_context(i);
            let expected = render(&env, BOOK_PAGE, &ctx);
            assert_eq!(render_v1(BOOK_PAGE, &ctx), expected);
            assert_eq!(site.render(BOOK_PAGE, &ctx), expected);
            for version in [Version::V1, Version::V2, Version::V3] {
                assert_eq!(Site::start(version).serve(&ctx), expected);
            }
        }
        let page = render(&env, BOOK_PAGE, &book_context(2));
        assert!(
            page.contains("<h1>The Go Programming Language</h1>"),
            "{page}"
        );
        assert!(
            page.contains("<li class=\"even\">PROGRAMMING</li>"),
            "{page}"
        );
        assert!(page.contains("2 copies"), "{page}");
    }

    #[test]
    fn every_page_parses_and_renders() {
        let env = start_v2();
        for (name, _) in PAGES {
            render(
                &env,
                name,
                &context! { code => 404, page => 1, results => Vec::<Value>::new() },
            );
        }
    }

    #[test]
    fn the_versions_serve_the_same_bytes() {
        let requests: Vec<Value> = (0..20).map(book_context).collect();
        let bytes = run(Version::V1, &requests);
        assert!(bytes > 20 * 100);
        assert_eq!(run(Version::V2, &requests), bytes);
        assert_eq!(run(Version::V3, &requests), bytes);
        assert_eq!(run(Version::V3, &[]), 0);
    }

    #[test]
    fn arguments() {
        let args = |list: &[&str]| parse_args(list.iter().map(|s| s.to_string()));
        assert_eq!(args(&["v1"]), Ok(Version::V1));
        assert_eq!(args(&["v2"]), Ok(Version::V2));
        assert_eq!(args(&["v3"]), Ok(Version::V3));
        assert!(args(&[]).is_err());
        assert!(args(&["v4"]).is_err());
        assert!(args(&["V1"]).is_err());
        assert!(args(&["v1", "v2"]).is_err());
    }
}
