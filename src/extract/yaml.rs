//! The one module that knows the YAML parser (serde-saphyr).
//!
//! Every YAML document practrace reads goes through here, with the same hardened options:
//! strict booleans (`yes`/`no`/`on`/`off` stay strings), duplicate keys as errors, no
//! anchors or aliases at all (front matter needs none; that stops alias bombs), and a
//! small nesting and size budget (that stops deep nesting) — each breach a located error.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_saphyr::{Budget, Options, Spanned};

/// A YAML error with its position in the parsed text (1-based; 0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// The parser's message, without position.
    pub message: String,
    /// 1-based line in the parsed text.
    pub line: u32,
    /// 1-based column in the parsed text.
    pub column: u32,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "line {}, column {}: {}",
                self.line, self.column, self.message
            )
        } else {
            f.write_str(&self.message)
        }
    }
}

impl std::error::Error for YamlError {}

fn options(max_depth: usize) -> Options {
    let mut budget = Budget::default();
    budget.max_depth = max_depth;
    budget.flow_nesting_limit = max_depth;
    budget.max_aliases = 0;
    budget.max_anchors = 0;
    budget.max_events = 200_000;
    budget.max_nodes = 100_000;
    budget.max_documents = 1;
    budget.max_total_scalar_bytes = 4 << 20;
    budget.max_reader_input_bytes = Some(4 << 20);
    let mut options = Options::default();
    options.budget = Some(budget);
    options.strict_booleans = true;
    options.with_snippet = false;
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    options
}

fn located(error: serde_saphyr::Error) -> YamlError {
    let (line, column) = error
        .location()
        .map(|l| (l.line() as u32, l.column() as u32))
        .unwrap_or((0, 0));
    let mut message = error.to_string();
    // The parser's own text may repeat the position (relative to the YAML, not the file):
    // keep the first line, without it.
    if let Some(first) = message.lines().next() {
        message = first.to_string();
    }
    if let Some(at) = message.rfind(" at line ") {
        message.truncate(at);
    }
    // The parser's advice ("set DuplicateKeyPolicy in Options") is for programmers using it,
    // not for the author of the file.
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest).trim();
        message = format!(
            "the key `{key}` appears twice in one mapping: keep one (put all its values in it)"
        );
    }
    if let Some(what) = message.strip_prefix("budget breached: ") {
        message = if what.starts_with("Anchors") || what.starts_with("Aliases") {
            "YAML anchors and aliases are not allowed here (they can blow a small file up into a huge one)".to_string()
        } else {
            format!("the YAML is too large or too deeply nested ({what})")
        };
    }
    YamlError {
        message,
        line,
        column,
    }
}

/// Parses a configuration or model file (deeper nesting allowed than front matter).
pub fn from_config_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str_with_options(text, options(32)).map_err(located)
}

/// A value with the position of its node in the parsed text (1-based line and column), for
/// configuration values whose meaning is checked after parsing (an id, a glob).
#[derive(Debug, Clone)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for Located<T> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<T>::deserialize(d)?;
        Ok(Located {
            value: spanned.value,
            line: spanned.referenced.line() as u32,
            column: spanned.referenced.column() as u32,
        })
    }
}

impl<T: PartialEq> PartialEq for Located<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl<T: Eq> Eq for Located<T> {}
impl<T: Ord> PartialOrd for Located<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T: Ord> Ord for Located<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.value.cmp(&other.value)
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Located<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// A string value with the position of its node (1-based line and column in the parsed text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedStr {
    /// The scalar.
    pub value: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// What practrace reads of one front matter.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FrontMatterTags {
    /// The items under the practices key (`None` when the key is absent).
    pub practices: Option<Vec<LocatedStr>>,
    /// The items under `process_areas`.
    pub process_areas: Vec<LocatedStr>,
    /// Where the practices key is (for a diagnostic about its value as a whole).
    pub key_line: u32,
}

/// Parses front matter text (the lines between the delimiters) and reads the practices key
/// (named `key`) and `process_areas`. Other keys are checked as YAML and ignored.
pub fn parse_front_matter(text: &str, key: &str) -> Result<FrontMatterTags, YamlError> {
    serde_saphyr::with_deserializer_from_str_with_options(text, options(16), |de| {
        TopSeed { key }.deserialize(de)
    })
    .map_err(located)
}

struct TopSeed<'k> {
    key: &'k str,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = FrontMatterTags;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_> {
    type Value = FrontMatterTags;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping")
    }

    // Front matter that is not a mapping has no practices key: not evidence, not an error.
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(FrontMatterTags::default())
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(FrontMatterTags::default())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(FrontMatterTags::default())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(FrontMatterTags::default())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(FrontMatterTags::default())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(FrontMatterTags::default())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(FrontMatterTags::default())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(FrontMatterTags::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = FrontMatterTags::default();
        while let Some(k) = map.next_key::<Spanned<KeyName>>()? {
            match k.value.0.as_deref() {
                Some(name) if name == self.key => {
                    out.key_line = k.referenced.line() as u32;
                    out.practices = Some(map.next_value::<IdList>()?.0);
                }
                Some("process_areas") => out.process_areas = map.next_value::<IdList>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}

/// A mapping key: a string, or anything else (which can never be the practices key).
struct KeyName(Option<String>);

impl<'de> de::Deserialize<'de> for KeyName {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyName;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyName, E> {
                Ok(KeyName(Some(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<KeyName, E> {
                Ok(KeyName(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<KeyName, E> {
                Ok(KeyName(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<KeyName, E> {
                Ok(KeyName(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<KeyName, E> {
                Ok(KeyName(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<KeyName, E> {
                Ok(KeyName(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<KeyName, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(KeyName(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeyName, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(KeyName(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// An id, a list of ids, or a list whose items may be `{id: ..., note: ...}`; null is empty.
struct IdList(Vec<LocatedStr>);

fn locate(s: Spanned<String>) -> LocatedStr {
    LocatedStr {
        value: s.value,
        line: s.referenced.line() as u32,
        column: s.referenced.column() as u32,
    }
}

impl<'de> de::Deserialize<'de> for IdList {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A scalar alone: read it again with its span through `Spanned`.
        let item = Spanned::<Item>::deserialize(d)?;
        Ok(IdList(match item.value {
            Item::One(s) => vec![LocatedStr {
                value: s,
                line: item.referenced.line() as u32,
                column: item.referenced.column() as u32,
            }],
            Item::Many(v) => v,
            Item::Empty => Vec::new(),
        }))
    }
}

enum Item {
    One(String),
    Many(Vec<LocatedStr>),
    Empty,
}

impl<'de> de::Deserialize<'de> for Item {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ItemVisitor)
    }
}

struct ItemVisitor;

impl<'de> Visitor<'de> for ItemVisitor {
    type Value = Item;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a practice id or a list of practice ids")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Item, E> {
        Ok(Item::One(v.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Item, E> {
        Ok(Item::Empty)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Item, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<ListItem>>()? {
            out.push(match item.value {
                ListItem::Scalar(value) => LocatedStr {
                    value,
                    line: item.referenced.line() as u32,
                    column: item.referenced.column() as u32,
                },
                ListItem::Mapping(id) => locate(id),
            });
        }
        Ok(Item::Many(out))
    }
}

/// A list item: a scalar id, or `{id: ..., note: ...}`.
enum ListItem {
    Scalar(String),
    Mapping(Spanned<String>),
}

impl<'de> de::Deserialize<'de> for ListItem {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ListItem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a practice id or a mapping {id: ..., note: ...}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ListItem, E> {
                Ok(ListItem::Scalar(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ListItem, A::Error> {
                let mut id = None;
                while let Some(k) = map.next_key::<String>()? {
                    match k.as_str() {
                        "id" => {
                            if id.is_some() {
                                return Err(de::Error::duplicate_field("id"));
                            }
                            id = Some(map.next_value::<Spanned<String>>()?);
                        }
                        "note" => {
                            map.next_value::<Option<String>>()?;
                        }
                        other => {
                            return Err(de::Error::unknown_field(other, &["id", "note"]));
                        }
                    }
                }
                id.map(ListItem::Mapping)
                    .ok_or_else(|| de::Error::missing_field("id"))
            }
        }
        d.deserialize_any(V)
    }
}
