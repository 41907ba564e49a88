//! Mutations of a valid push: the JSON as a tree to edit (hostile numbers, strings, keys,
//! nesting), byte edits of its text, and the property that runs them.

use super::*;

/// A JSON tree whose objects may repeat a key and whose numbers are raw text.
#[derive(Debug, Clone)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl From<&Value> for Json {
    fn from(value: &Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(*b),
            Value::Number(n) => Self::Number(n.to_string()),
            Value::String(s) => Self::String(s.clone()),
            Value::Array(items) => Self::Array(items.iter().map(Self::from).collect()),
            Value::Object(members) => Self::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), Self::from(v)))
                    .collect(),
            ),
        }
    }
}

impl Json {
    fn write(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Number(raw) => out.push_str(raw),
            Self::String(s) => out.push_str(&serde_json::to_string(s).unwrap()),
            Self::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Self::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(key).unwrap());
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    /// How many nodes the tree has (each is a place a mutation can land).
    fn count(&self) -> usize {
        1 + match self {
            Self::Array(items) => items.iter().map(Self::count).sum(),
            Self::Object(members) => members.iter().map(|(_, v)| v.count()).sum(),
            _ => 0,
        }
    }

    /// The `n`th node in pre-order (wrapping), to change in place.
    fn nth(&mut self, n: usize) -> &mut Json {
        let total = self.count();
        self.nth_inner(n % total)
    }

    fn nth_inner(&mut self, mut n: usize) -> &mut Json {
        if n == 0 {
            return self;
        }
        n -= 1;
        let children: Vec<&mut Json> = match self {
            Self::Array(items) => items.iter_mut().collect(),
            Self::Object(members) => members.iter_mut().map(|(_, v)| v).collect(),
            _ => unreachable!("n is within the tree"),
        };
        for child in children {
            let size = child.count();
            if n < size {
                return child.nth_inner(n);
            }
            n -= size;
        }
        unreachable!("n is within the tree")
    }

    /// The `n`th object node (wrapping), if any.
    fn nth_object(&mut self, n: usize) -> Option<&mut Vec<(String, Json)>> {
        let mut objects = Vec::new();
        self.object_indices(0, &mut objects);
        if objects.is_empty() {
            return None;
        }
        match self.nth(objects[n % objects.len()]) {
            Json::Object(members) => Some(members),
            _ => None,
        }
    }

    /// Adds the pre-order indices of the objects in this subtree (which starts at `base`);
    /// the subtree's size.
    fn object_indices(&self, base: usize, out: &mut Vec<usize>) -> usize {
        let mut size = 1;
        match self {
            Self::Array(items) => {
                for item in items {
                    size += item.object_indices(base + size, out);
                }
            }
            Self::Object(members) => {
                out.push(base);
                for (_, value) in members {
                    size += value.object_indices(base + size, out);
                }
            }
            _ => {}
        }
        size
    }
}

/// Names the wire uses for tags, enum values and fields: a swapped one sends the reader
/// into another variant.
const NAMES: &[&str] = &[
    "photo",
    "signature",
    "submission",
    "finding",
    "acceptance",
    "spot_check",
    "open",
    "rectified",
    "closed",
    "reopened",
    "yes",
    "no",
    "not_applicable",
    "yes_no",
    "number",
    "choice",
    "text",
    "photos",
    "area",
    "findings",
    "handwritten",
    "thumbprint",
    "proxy",
    "rectangle",
    "polygon",
    "storey",
    "sloped_roof",
    "balcony_inside",
    "canopy_cantilever",
    "kind",
    "body",
    "type",
    "method",
    "quarter_mm2",
    "points",
    "parts",
    "voids",
    "answers",
    "",
];

fn number_replacement() -> impl Strategy<Value = Json> {
    prop::sample::select(vec![
        "0",
        "-1",
        "-0",
        "0.5",
        "1e308",
        "-1e308",
        "1e999",
        "4294967295",
        "4294967296",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "170141183460469231731687303715884105727",
        "1.7976931348623157e308",
        "5e-324",
    ])
    .prop_map(|n| Json::Number(n.to_string()))
}

fn string_replacement() -> impl Strategy<Value = Json> {
    prop_oneof![
        4 => prop::sample::select(NAMES.to_vec()).prop_map(|s| Json::String(s.to_string())),
        1 => prop::sample::select(vec![
            "NaN", "Infinity", "-Infinity", "1e999", "-1", "2026-12-05T03:00:00Z",
            "9999-12-31T23:59:59Z", "+275760-09-13T00:00:00Z", "-262143-01-01T00:00:00Z",
            "1970-01-01T00:00:00Z", "2026-02-30", "0000-00-00",
            "0190a000-0000-7000-8000-000000000001", "00000000-0000-0000-0000-000000000000",
        ])
        .prop_map(|s| Json::String(s.to_string())),
        1 => ("\\PC", 1..100_000usize).prop_map(|(s, n)| Json::String(s.repeat(n))),
        1 => "\\PC{0,40}".prop_map(Json::String),
        1 => "[\\x00-\\x1f\u{202e}\u{feff}\u{10ffff}]{1,8}".prop_map(Json::String),
    ]
}

/// Any value, of any type.
fn replacement() -> impl Strategy<Value = Json> {
    prop_oneof![
        3 => number_replacement(),
        4 => string_replacement(),
        1 => Just(Json::Null),
        1 => any::<bool>().prop_map(Json::Bool),
        1 => Just(Json::Array(vec![])),
        1 => Just(Json::Object(vec![])),
        // Nested arrays, below and above serde_json's recursion limit (128).
        1 => (1..200usize).prop_map(|depth| {
            (0..depth).fold(Json::Number("1".into()), |inner, _| Json::Array(vec![inner]))
        }),
        // Long arrays of numbers or of objects.
        1 => (0..20_000usize).prop_map(|n| Json::Array(vec![Json::Number("1".into()); n])),
        1 => (0..2_000usize).prop_map(|n| Json::Array(vec![Json::Object(vec![]); n])),
    ]
}

#[derive(Debug, Clone)]
enum Edit {
    /// Replace the `at`th node with anything.
    Replace { at: usize, with: Json },
    /// Replace the `at`th node, if a number or a string, with another of its type.
    ReplaceAlike {
        at: usize,
        number: Json,
        string: Json,
    },
    /// Repeat the elements of the `at`th node, if an array (a polygon of thousands of
    /// corners, a form of thousands of photos).
    Lengthen { at: usize, times: usize },
    /// Drop a member of the `at`th object.
    DropKey { at: usize, member: usize },
    /// Repeat a member of an object, with another value: the reader sees it twice.
    DuplicateKey {
        at: usize,
        member: usize,
        with: Option<Json>,
    },
    /// Rename a member's key to another name.
    RenameKey {
        at: usize,
        member: usize,
        to: String,
    },
    /// Copy the `at`th node over the `to`th (a record where a number was, and so on).
    Graft { at: usize, to: usize },
    /// Repeat the records array's content.
    RepeatRecords { times: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = any::<usize>();
    prop_oneof![
        2 => (at, replacement()).prop_map(|(at, with)| Edit::Replace { at, with }),
        6 => (at, number_replacement(), string_replacement())
            .prop_map(|(at, number, string)| Edit::ReplaceAlike { at, number, string }),
        1 => (at, prop_oneof![1..10usize, 100..5_000usize])
            .prop_map(|(at, times)| Edit::Lengthen { at, times }),
        2 => (at, any::<usize>()).prop_map(|(at, member)| Edit::DropKey { at, member }),
        2 => (at, any::<usize>(), prop::option::of(replacement()))
            .prop_map(|(at, member, with)| Edit::DuplicateKey { at, member, with }),
        1 => (at, any::<usize>(), prop::sample::select(NAMES.to_vec()))
            .prop_map(|(at, member, to)| Edit::RenameKey { at, member, to: to.to_string() }),
        1 => (at, any::<usize>()).prop_map(|(at, to)| Edit::Graft { at, to }),
        1 => (1..500usize).prop_map(|times| Edit::RepeatRecords { times }),
    ]
}

fn edit_json(json: &mut Json, edit: &Edit) {
    match edit {
        Edit::Replace { at, with } => *json.nth(*at) = with.clone(),
        Edit::ReplaceAlike { at, number, string } => {
            let node = json.nth(*at);
            match node {
                Json::Number(_) => *node = number.clone(),
                Json::String(_) => *node = string.clone(),
                _ => {}
            }
        }
        Edit::Lengthen { at, times } => {
            if let Json::Array(items) = json.nth(*at)
                && !items.is_empty()
            {
                let size: usize = items.iter().map(Json::count).sum();
                let times = (*times).min(50_000 / size.max(1));
                let copy = items.clone();
                for _ in 0..times {
                    items.extend(copy.iter().cloned());
                }
            }
        }
        Edit::DropKey { at, member } => {
            if let Some(members) = json.nth_object(*at)
                && !members.is_empty()
            {
                let m = member % members.len();
                members.remove(m);
            }
        }
        Edit::DuplicateKey { at, member, with } => {
            if let Some(members) = json.nth_object(*at)
                && !members.is_empty()
            {
                let m = member % members.len();
                let (key, value) = members[m].clone();
                members.push((key, with.clone().unwrap_or(value)));
            }
        }
        Edit::RenameKey { at, member, to } => {
            if let Some(members) = json.nth_object(*at)
                && !members.is_empty()
            {
                let m = member % members.len();
                members[m].0 = to.clone();
            }
        }
        Edit::Graft { at, to } => {
            let node = json.nth(*at).clone();
            // Bounded: a graft of the whole tree into itself doubles it at most.
            if node.count() < 5_000 {
                *json.nth(*to) = node;
            }
        }
        Edit::RepeatRecords { times } => {
            if let Json::Object(members) = json
                && let Some((_, Json::Array(records))) =
                    members.iter_mut().find(|(k, _)| k == "records")
                && records.len() < 50
            {
                let copy = records.clone();
                for _ in 0..*times {
                    records.extend(copy.iter().cloned());
                }
            }
        }
    }
}

/// Byte changes of the text, after the edits.
#[derive(Debug, Clone)]
enum ByteEdit {
    Set { at: usize, value: u8 },
    Remove { at: usize, len: usize },
    Truncate { at: usize },
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, value)| ByteEdit::Set { at, value }),
        (any::<usize>(), 1..16usize).prop_map(|(at, len)| ByteEdit::Remove { at, len }),
        any::<usize>().prop_map(|at| ByteEdit::Truncate { at }),
    ]
}

fn apply_bytes(mut bytes: Vec<u8>, edits: &[ByteEdit]) -> Vec<u8> {
    for edit in edits {
        if bytes.is_empty() {
            break;
        }
        let len = bytes.len();
        match edit {
            ByteEdit::Set { at, value } => bytes[at % len] = *value,
            ByteEdit::Remove { at, len: n } => {
                let i = at % len;
                bytes.drain(i..(i + n).min(len));
            }
            ByteEdit::Truncate { at } => bytes.truncate(at % len),
        }
    }
    bytes
}

#[test]
fn mutated_push_json_is_read_or_refused_cleanly() {
    let seed = Json::from(&valid_push_json());
    let tally = Tally::default();
    let strategy = (
        prop::collection::vec(edit(), 1..4),
        prop_oneof![
            4 => Just(vec![]),
            1 => prop::collection::vec(byte_edit(), 1..3),
        ],
        household_size(),
    );
    fuzz(2, strategy, |(edits, byte_edits, size)| {
        let mut json = seed.clone();
        for edit in &edits {
            edit_json(&mut json, edit);
        }
        let bytes = apply_bytes(json.text().into_bytes(), &byte_edits);
        push_checked(&bytes, size, &tally)
    });
    let (unreadable, refused, passed) = tally.get();
    if cases() >= 64 {
        // The edits must leave many requests readable, and reach the checks both ways.
        let cases = cases() as usize;
        assert!(unreadable * 10 >= cases, "only {unreadable} unreadable");
        assert!(
            unreadable * 10 <= cases * 9,
            "{unreadable} of {cases} unreadable"
        );
        assert!(refused >= cases / 10, "only {refused} records refused");
        assert!(passed >= cases / 10, "only {passed} records passed");
    }
}

// ---------------------------------------------------------------------------------------
// Fixed inputs: the seed passes, deep nesting is refused
// ---------------------------------------------------------------------------------------
