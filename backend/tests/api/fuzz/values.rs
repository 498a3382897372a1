//! Argument values: a seeded RNG, a pool of hostile and harvested values, and the synthesis of a
//! value of the right shape for any input type (mostly; now and then deliberately not).

use super::harvest::Harvest;
use super::schema::{InputValue, Kind, Schema, TypeRef};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

/// xorshift64*: deterministic, tiny, good enough to pick from pools.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Strings nobody should send: empty, NUL and control characters, huge, right-to-left, emoji,
/// zero-width, whitespace only, injection-shaped, and near-misses of valid formats.
fn hostile_strings() -> Vec<String> {
    let mut s: Vec<String> = [
        "",
        "\u{0}",
        "fuzz\u{0}fuzz",
        "\u{1}\u{7}\u{8}\u{1b}[31m\u{7f}",
        "\r\n",
        " ",
        " \t\n ",
        "\u{a0}\u{2003}\u{3000}",
        "\u{200b}",
        "\u{200b}\u{200c}\u{200d}\u{feff}",
        "\u{202e}gnp.exe",
        "שלום עולם",
        "مرحبا بالعالم",
        "👩‍👩‍👧‍👦🚀🏳️‍🌈",
        "e\u{301}\u{301}\u{301}\u{301}",
        "\u{fffd}\u{fffe}",
        "'; drop table subscription; --",
        "' or '1'='1",
        "%_\\",
        "$1",
        "null",
        "<script>alert(1)</script>",
        "../../../../etc/passwd",
        "{\"a\":1}",
        "P0D",
        "P90D",
        "P-1D",
        "P99999999999D",
        "PT1H",
        "P1Y2M3DT4H",
        "2026-06-01T09:00:00Z",
        "a@b",
        "user@example.test",
        "@",
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "CN",
        "1000001",
    ]
    .map(str::to_owned)
    .to_vec();
    s.push("x".repeat(10_000));
    s.push("😀".repeat(2_500));
    s.push("\u{0}".repeat(1_000));
    s.push("a".repeat(101));
    s.push("a".repeat(256));
    s
}

/// Ids that look like ids and are not: forged types, nil and malformed uuids, wrong alphabets.
fn forged_ids(harvest: &Harvest, rng: &mut Rng) -> Vec<String> {
    let enc = |s: &str| URL_SAFE_NO_PAD.encode(s);
    let mut ids = vec![
        enc("Subscription:00000000-0000-0000-0000-000000000000"),
        enc("Customer:not-a-uuid"),
        enc("Nope:00000000-0000-0000-0000-000000000000"),
        enc(":"),
        enc("Subscription"),
        enc("Subscription:\u{0}"),
        STANDARD.encode("Customer:00000000-0000-0000-0000-000000000000"),
        "====".to_owned(),
        "!!not base64!!".to_owned(),
    ];
    // A real uuid under every other type's name: an id of the wrong kind.
    let types: Vec<&String> = harvest.ids.keys().collect();
    for (ty, set) in &harvest.ids {
        for id in set.iter().take(2) {
            let Ok(raw) = URL_SAFE_NO_PAD.decode(id) else { continue };
            let text = String::from_utf8_lossy(&raw).into_owned();
            if let Some((_, uuid)) = text.split_once(':') {
                let other = rng.pick(&types);
                if *other != ty {
                    ids.push(enc(&format!("{other}:{uuid}")));
                }
                ids.push(enc(&format!("{ty}:{}", uuid.to_uppercase())));
            }
        }
    }
    for len in [1, 8, 24, 48, 300] {
        let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        ids.push(URL_SAFE_NO_PAD.encode(&bytes));
        ids.push(STANDARD.encode(&bytes));
    }
    ids
}

/// Where values come from: what the operator could read, and what nobody should send.
pub struct Pool {
    pub harvest: Harvest,
    strings: Vec<String>,
    forged_ids: Vec<String>,
    ints: Vec<Value>,
    datetimes: Vec<String>,
    dates: Vec<String>,
}

impl Pool {
    pub fn new(harvest: Harvest, rng: &mut Rng) -> Pool {
        let forged_ids = forged_ids(&harvest, rng);
        let mut strings = hostile_strings();
        for _ in 0..4 {
            let bytes: Vec<u8> = (0..rng.below(40) + 1).map(|_| rng.next_u64() as u8).collect();
            strings.push(STANDARD.encode(&bytes));
        }
        let ints = [
            json!(i32::MIN),
            json!(i32::MAX),
            json!(-1),
            json!(0),
            json!(1),
            json!(2),
            json!(100),
            json!(101),
            json!(1_000_000),
            json!(i32::MAX as i64 + 1),
            json!(i64::MIN),
            json!(1.5),
        ]
        .to_vec();
        let datetimes = [
            "9999-12-31T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "0001-01-01T00:00:00Z",
            "+275760-09-13T00:00:00Z",
            "-271821-04-20T00:00:00Z",
            "1970-01-01T00:00:00Z",
            "2026-06-01T09:00:00Z",
            "2026-06-01T08:59:59Z",
            "2026-12-01T00:00:00Z",
            "2026-06-01T09:00:00+14:00",
            "2026-02-30T00:00:00Z",
            "2026-06-01",
            "not a date",
            "",
        ]
        .map(str::to_owned)
        .to_vec();
        let dates = ["9999-12-31", "0001-01-01", "+275760-09-13", "2026-06-01", "2026-02-30", "x", ""]
            .map(str::to_owned)
            .to_vec();
        Pool { harvest, strings, forged_ids, ints, datetimes, dates }
    }
}

/// Writes fuzzed argument values for one schema from one pool.
pub struct Fuzzer<'a> {
    pub schema: &'a Schema,
    pub pool: &'a Pool,
    pub rng: Rng,
}

impl Fuzzer<'_> {
    /// Arguments for a root field: every required one, about half the optional ones.
    /// `context` is the root field's [`Field::context`], which tells what a bare `id` points to.
    pub fn args(&mut self, args: &[InputValue], context: &str) -> Vec<(String, Value)> {
        let mut chosen = Vec::new();
        for a in args {
            if a.required() || self.rng.chance(50) {
                chosen.push((a.name.clone(), self.value(&a.name, &a.ty, context, 0)));
            }
        }
        chosen
    }

    fn value(&mut self, name: &str, ty: &TypeRef, context: &str, depth: usize) -> Value {
        match ty {
            // A null where none is allowed, now and then: coercion must refuse it cleanly.
            TypeRef::NonNull(inner) => {
                if self.rng.chance(2) {
                    Value::Null
                } else {
                    self.value(name, inner, context, depth)
                }
            }
            TypeRef::List(inner) => {
                let len = if self.rng.chance(3) { 60 } else { self.rng.below(4) };
                Value::Array((0..len).map(|_| self.value(name, inner, context, depth + 1)).collect())
            }
            TypeRef::Named(t) => self.named(name, t, context, depth),
        }
    }

    fn named(&mut self, name: &str, ty: &str, context: &str, depth: usize) -> Value {
        let def = self.schema.ty(ty);
        match def.kind {
            Kind::Enum => {
                if self.rng.chance(8) {
                    json!(self.rng.pick(&["NOT_A_VALUE", "", "active"]))
                } else {
                    json!(self.rng.pick(&def.enum_values))
                }
            }
            Kind::InputObject => {
                if self.rng.chance(3) || depth > 4 {
                    return json!(self.rng.pick(&self.pool.strings));
                }
                let mut fields = serde_json::Map::new();
                for f in &def.input_fields {
                    if f.required() || self.rng.chance(50) {
                        let v = if self.rng.chance(5) && !f.required() {
                            Value::Null
                        } else {
                            self.value(&f.name, &f.ty, context, depth + 1)
                        };
                        fields.insert(f.name.clone(), v);
                    }
                }
                Value::Object(fields)
            }
            _ => self.scalar(name, ty, context),
        }
    }

    fn scalar(&mut self, name: &str, ty: &str, context: &str) -> Value {
        let id_like = self.schema.is_id_input(name, &TypeRef::Named(ty.to_owned()));
        match ty {
            _ if id_like => json!(self.id(name, context)),
            "String" if name == "code" && self.rng.chance(50) => {
                let ty = self.context_type(context);
                json!(self.pool.harvest.nth_code(ty.as_deref(), self.rng.below(1000)).unwrap_or("no-code"))
            }
            "String" => json!(self.rng.pick(&self.pool.strings)),
            "Int" => self.rng.pick(&self.pool.ints).clone(),
            "Float" => json!(self.rng.pick(&[0.0, -1.0, 1e300, f64::MIN_POSITIVE])),
            "Boolean" => {
                if self.rng.chance(5) {
                    json!("true")
                } else {
                    json!(self.rng.chance(50))
                }
            }
            t if t.contains("DateTime") => json!(self.rng.pick(&self.pool.datetimes)),
            t if t.contains("Date") => json!(self.rng.pick(&self.pool.dates)),
            "JSON" => self.rng.pick(&[json!({}), json!(null), json!([1, "\u{0}"]), json!("x")]).clone(),
            // A scalar this fuzzer does not know yet: strings and numbers both.
            _ => {
                if self.rng.chance(50) {
                    json!(self.rng.pick(&self.pool.strings))
                } else {
                    self.rng.pick(&self.pool.ints).clone()
                }
            }
        }
    }

    /// An id: usually a real one of the right type, sometimes of any type, sometimes forged.
    fn id(&mut self, name: &str, context: &str) -> String {
        let harvest = &self.pool.harvest;
        let ty = match self.schema.type_of_id_input(name) {
            Some(t) => Some(t.to_owned()),
            None => self.context_type(context),
        };
        let n = self.rng.below(10_000);
        let roll = self.rng.below(100);
        let real = match roll {
            0..50 => harvest.nth_id(ty.as_deref(), n).or_else(|| harvest.nth_id(None, n)),
            50..75 => harvest.nth_id(None, n),
            _ => None,
        };
        match real {
            Some(id) => id.to_owned(),
            None if self.rng.chance(60) => self.rng.pick(&self.pool.forged_ids).clone(),
            None => self.rng.pick(&self.pool.strings).clone(),
        }
    }

    /// The object type a root field is about: `revokeApiToken` → `ApiToken`.
    fn context_type(&self, context: &str) -> Option<String> {
        context_type(self.schema, context)
    }
}

/// The longest name of an object type with ids inside a field's [`Field::context`]
/// (case-insensitive): what a bare `id` or `code` argument of that field points to.
pub fn context_type(schema: &Schema, field: &str) -> Option<String> {
    let lower = field.to_lowercase();
    schema
        .identified_type_names()
        .filter(|t| lower.contains(&t.to_lowercase()))
        .max_by_key(|t| t.len())
        .map(str::to_owned)
}
