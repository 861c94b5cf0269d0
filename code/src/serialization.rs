//! Chapter "Serialization": `src/techniques/serialization.md`. Bench:
//! `benches/serialization.rs`.

use std::hint::black_box;

use prost::Message;
use workshop::generated::anchored;
use workshop::measure::{Group, Runner, Throughput};
use workshop::serde::de::DeserializeOwned;
use workshop::serde::{Deserialize, Serialize};
use workshop::serde_json;

pub const CHAPTER: &str = "serialization";

// ANCHOR: order
/// The record every format encodes: an order with text, numbers and a nested list.
///
/// One type serves all four formats: serde's derives give JSON, MessagePack and postcard,
/// and `prost::Message` gives protobuf from the `#[prost(..)]` field attributes, with no
/// `.proto` file and no `protoc`. (prost's derive also writes the `Debug` impl.)
#[derive(Clone, PartialEq, Message, Serialize, Deserialize)]
#[serde(crate = "workshop::serde")]
pub struct Order {
    #[prost(uint64, tag = "1")]
    pub id: u64,
    #[prost(string, tag = "2")]
    pub customer: String,
    #[prost(string, tag = "3")]
    pub email: String,
    /// Milliseconds since the Unix epoch.
    #[prost(uint64, tag = "4")]
    pub created_at_ms: u64,
    #[prost(string, tag = "5")]
    pub currency: String,
    #[prost(message, repeated, tag = "6")]
    pub items: Vec<LineItem>,
    #[prost(string, tag = "7")]
    pub note: String,
}

#[derive(Clone, PartialEq, Message, Serialize, Deserialize)]
#[serde(crate = "workshop::serde")]
pub struct LineItem {
    #[prost(string, tag = "1")]
    pub sku: String,
    #[prost(string, tag = "2")]
    pub name: String,
    #[prost(uint32, tag = "3")]
    pub quantity: u32,
    #[prost(uint64, tag = "4")]
    pub unit_price_cents: u64,
}
// ANCHOR_END: order

/// A typical order: eight line items, short strings, numbers of every size. No string
/// needs escaping in JSON (see [`sample_order_escaped`] for one that does).
pub fn sample_order() -> Order {
    let colours = ["red", "green", "blue", "black"];
    Order {
        id: 1_048_576_042,
        customer: "Ada Lovelace".to_string(),
        email: "ada@example.org".to_string(),
        created_at_ms: 1_764_288_000_000,
        currency: "EUR".to_string(),
        items: (0..8u32)
            .map(|i| LineItem {
                sku: format!("SKU-{:06}", 1000 + i * 37),
                name: format!("Widget {i}, {}", colours[i as usize % 4]),
                quantity: 1 + i % 3,
                unit_price_cents: 199 + u64::from(i) * 1250,
            })
            .collect(),
        note: "Leave the parcel at the back door, please.".to_string(),
    }
}

/// A larger document: `n` orders, each as large as the sample, with its own id.
pub fn sample_orders(n: u64) -> Vec<Order> {
    (0..n)
        .map(|i| Order {
            id: 1_048_576_042 + i,
            ..sample_order()
        })
        .collect()
}

// ANCHOR: fast_json
/// serde_json, for comparison: the same serde derive drives every parser below.
pub fn decode_serde_json<T: DeserializeOwned>(bytes: &[u8]) -> T {
    serde_json::from_slice(bytes).expect("valid JSON")
}

/// simd-json, through its serde front end: it finds the document's structure with SIMD
/// instructions chosen at run time for this CPU, and parses in place, so it takes the bytes
/// as `&mut` and leaves them changed.
pub fn decode_simd_json<T: DeserializeOwned>(bytes: &mut [u8]) -> T {
    simd_json::serde::from_slice(bytes).expect("valid JSON")
}

/// sonic-rs: serde-compatible, on shared bytes; its SIMD code is chosen when it is compiled,
/// from the target's features (see the text).
pub fn decode_sonic_rs<T: DeserializeOwned>(bytes: &[u8]) -> T {
    sonic_rs::from_slice(bytes).expect("valid JSON")
}
// ANCHOR_END: fast_json

// ANCHOR: encode
/// JSON: self-describing text; every field name is written out in every record.
pub fn encode_json(order: &Order) -> Vec<u8> {
    serde_json::to_vec(order).expect("an Order always serializes")
}

/// MessagePack with field names (`to_vec_named`): the same shape as JSON, in binary.
pub fn encode_msgpack_named(order: &Order) -> Vec<u8> {
    rmp_serde::to_vec_named(order).expect("an Order always serializes")
}

/// MessagePack without names (`to_vec`): a struct becomes an array of its fields.
pub fn encode_msgpack(order: &Order) -> Vec<u8> {
    rmp_serde::to_vec(order).expect("an Order always serializes")
}

/// Protobuf: a tag and a varint or length per field; `encoded_len` is computed first, so
/// the output is allocated once, at its final size.
pub fn encode_protobuf(order: &Order) -> Vec<u8> {
    order.encode_to_vec()
}

/// postcard: serde's data model with no names and no tags, integers as varints.
pub fn encode_postcard(order: &Order) -> Vec<u8> {
    postcard::to_allocvec(order).expect("an Order always serializes")
}
// ANCHOR_END: encode

// ANCHOR: decode
pub fn decode_json(bytes: &[u8]) -> Order {
    serde_json::from_slice(bytes).expect("valid JSON")
}

pub fn decode_msgpack(bytes: &[u8]) -> Order {
    // The same function reads both MessagePack encodings: serde's derive accepts a
    // struct as a map (with names) or as a sequence (without).
    rmp_serde::from_slice(bytes).expect("valid MessagePack")
}

pub fn decode_protobuf(bytes: &[u8]) -> Order {
    Order::decode(bytes).expect("valid protobuf")
}

pub fn decode_postcard(bytes: &[u8]) -> Order {
    postcard::from_bytes(bytes).expect("valid postcard")
}
// ANCHOR_END: decode

/// A format: its name, its encoder and its decoder.
pub type Format = (&'static str, fn(&Order) -> Vec<u8>, fn(&[u8]) -> Order);

/// Every format of the chapter: the benches, the size table and the round-trip test all
/// walk this list.
pub const FORMATS: &[Format] = &[
    ("json", encode_json, decode_json),
    ("msgpack_named", encode_msgpack_named, decode_msgpack),
    ("msgpack", encode_msgpack, decode_msgpack),
    ("protobuf", encode_protobuf, decode_protobuf),
    ("postcard", encode_postcard, decode_postcard),
];

// ANCHOR: order_ref
/// The same order, borrowed: decoding fills the `&str` fields with slices of the input
/// buffer instead of copying each string into a new `String`. serde borrows `&str` and
/// `&[u8]` fields by itself; a field whose type merely *contains* a lifetime (the
/// `Vec<LineItemRef>`) needs `#[serde(borrow)]`.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "workshop::serde")]
pub struct OrderRef<'a> {
    pub id: u64,
    pub customer: &'a str,
    pub email: &'a str,
    pub created_at_ms: u64,
    pub currency: &'a str,
    #[serde(borrow)]
    pub items: Vec<LineItemRef<'a>>,
    pub note: &'a str,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(crate = "workshop::serde")]
pub struct LineItemRef<'a> {
    pub sku: &'a str,
    pub name: &'a str,
    pub quantity: u32,
    pub unit_price_cents: u64,
}
// ANCHOR_END: order_ref

impl Order {
    /// A borrowed view of this order, to compare with what the borrowed decoders return.
    pub fn borrowed(&self) -> OrderRef<'_> {
        OrderRef {
            id: self.id,
            customer: &self.customer,
            email: &self.email,
            created_at_ms: self.created_at_ms,
            currency: &self.currency,
            items: self
                .items
                .iter()
                .map(|item| LineItemRef {
                    sku: &item.sku,
                    name: &item.name,
                    quantity: item.quantity,
                    unit_price_cents: item.unit_price_cents,
                })
                .collect(),
            note: &self.note,
        }
    }
}

// ANCHOR: decode_borrowed
/// The result borrows from `bytes`: it cannot outlive the buffer it was decoded from.
/// JSON can only lend a string that appears in the input exactly as it is meant: one
/// with an escape (`\n`, `\"`) must be unescaped into new memory, and decoding it into a
/// `&str` fails.
pub fn decode_json_borrowed(bytes: &[u8]) -> Result<OrderRef<'_>, serde_json::Error> {
    serde_json::from_slice(bytes)
}

pub fn decode_msgpack_borrowed(bytes: &[u8]) -> OrderRef<'_> {
    rmp_serde::from_slice(bytes).expect("valid MessagePack")
}

pub fn decode_postcard_borrowed(bytes: &[u8]) -> OrderRef<'_> {
    postcard::from_bytes(bytes).expect("valid postcard")
}
// ANCHOR_END: decode_borrowed

// ANCHOR: borrowed_from
/// Whether `s` is borrowed from `input`: its bytes lie inside the input's, rather than in a
/// copy of their own.
pub fn borrowed_from(s: &str, input: &[u8]) -> bool {
    let (inside, range) = (input.as_ptr_range(), s.as_bytes().as_ptr_range());
    inside.start <= range.start && range.end <= inside.end
}
// ANCHOR_END: borrowed_from

/// The sample order with a two-line note and a quote in the name of its second item: its
/// JSON holds `\n` and `\"`, which a `&str` cannot borrow.
pub fn sample_order_escaped() -> Order {
    let mut order = Order {
        note: "Leave the parcel at the back door.\nRing twice.".to_string(),
        ..sample_order()
    };
    order.items[1].name = "Ruler, 12\" steel".to_string();
    order
}

// ANCHOR: sizes_table
/// The chapter's table of encoded sizes, as Markdown: computed, never typed.
pub fn sizes_table(order: &Order) -> String {
    let json = encode_json(order).len();
    let mut table = String::from(
        "| format | encoded size (bytes) | vs JSON |\n| :-- | --: | --: |\n",
    );
    for (name, encode, _) in FORMATS {
        let len = encode(order).len();
        let share = 100.0 * len as f64 / json as f64;
        table.push_str(&format!("| `{name}` | {len} | {share:.0}% |\n"));
    }
    table
}
// ANCHOR_END: sizes_table

/// Where the generated size table lives, relative to `code/`.
pub const SIZES_FILE: &str = "../src/generated/serialization_sizes.md";

/// The whole generated file: the table between anchors, and how to regenerate it.
pub fn sizes_file() -> String {
    let table = format!(
        "{}\n*Encoded sizes of `sample_order()` (eight line items); the same on every \
         machine — checked by `cargo test -p workshop`.*\n",
        sizes_table(&sample_order())
    );
    format!(
        "<!-- Generated by `UPDATE_GENERATED=1 cargo test -p workshop --lib serialization` \
         from code/src/serialization.rs (sizes_table). Do not edit. -->\n\n{}",
        anchored("sizes", &table)
    )
}

// ANCHOR: cases
/// Every comparison the chapter shows. The throughput of each case is the size of its
/// own encoding, so the throughput column reads "bytes of this format per second".
pub fn cases<R: Runner>(r: &mut R) {
    let order = sample_order();
    // Each format's encoding of the order, for the decoders.
    let encoded: Vec<(Format, Vec<u8>)> = FORMATS
        .iter()
        .map(|&format| (format, (format.1)(&order)))
        .collect();

    let mut g = r.group("encode");
    for &(name, encode, _) in FORMATS {
        g.throughput(Throughput::Bytes(encode(&order).len() as u64));
        g.case(name, None, || encode(black_box(&order)));
    }
    g.finish();

    // A decoded `Order` is 21 allocations to free: dropped outside the timed region, so
    // that the rows time decoding, not freeing.
    let mut g = r.group("decode");
    for ((name, _, decode), bytes) in &encoded {
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.case_with_large_drop(name, None, || decode(black_box(bytes)));
    }
    g.finish();
    // ANCHOR_END: cases

    // ANCHOR: borrowed_cases
    let bytes_of = |format: &str| {
        let found = encoded.iter().find(|((name, ..), _)| *name == format);
        found.expect("a format of FORMATS").1.clone()
    };
    let (json, msgpack, postcard) =
        (bytes_of("json"), bytes_of("msgpack"), bytes_of("postcard"));
    // Every decoded order, owned or borrowed, is dropped outside the timed region.
    let mut g = r.group("decode_borrowed");
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.case_with_large_drop("json_owned", None, || decode_json(black_box(&json)));
    g.case_with_large_drop("json_borrowed", None, || {
        decode_json_borrowed(black_box(&json)).expect("no escapes in the sample order")
    });
    g.case_with_large_drop("json_cow", None, || {
        workshop::solutions::serialization::decode_json_cow(black_box(&json))
    });
    g.throughput(Throughput::Bytes(msgpack.len() as u64));
    g.case_with_large_drop("msgpack_owned", None, || {
        decode_msgpack(black_box(&msgpack))
    });
    g.case_with_large_drop("msgpack_borrowed", None, || {
        decode_msgpack_borrowed(black_box(&msgpack))
    });
    g.throughput(Throughput::Bytes(postcard.len() as u64));
    g.case_with_large_drop("postcard_owned", None, || {
        decode_postcard(black_box(&postcard))
    });
    g.case_with_large_drop("postcard_borrowed", None, || {
        decode_postcard_borrowed(black_box(&postcard))
    });
    g.finish();
    // ANCHOR_END: borrowed_cases

    // ANCHOR: parser_cases
    // The same JSON decoded by three parsers: the sample order, and a document of 1,000
    // orders. simd-json spoils its input, so each call gets a fresh copy, made outside the
    // timed region; every decoded value (and the copy) is freed outside it too.
    let one = json.clone();
    let many = encode_json_value(&sample_orders(1000));
    let mut g = r.group("json_parsers");
    g.slow(); // the large document takes milliseconds per call
    g.throughput(Throughput::Bytes(one.len() as u64));
    g.case_with_large_drop("serde_json", Some("order"), || {
        decode_serde_json::<Order>(black_box(&one))
    });
    g.case_batched(
        "simd_json",
        Some("order"),
        || one.clone(),
        |mut bytes| (decode_simd_json::<Order>(&mut bytes), bytes),
    );
    g.case_with_large_drop("sonic_rs", Some("order"), || {
        decode_sonic_rs::<Order>(black_box(&one))
    });
    g.throughput(Throughput::Bytes(many.len() as u64));
    g.case_with_large_drop("serde_json", Some("orders_1000"), || {
        decode_serde_json::<Vec<Order>>(black_box(&many))
    });
    g.case_batched(
        "simd_json",
        Some("orders_1000"),
        || many.clone(),
        |mut bytes| (decode_simd_json::<Vec<Order>>(&mut bytes), bytes),
    );
    g.case_with_large_drop("sonic_rs", Some("orders_1000"), || {
        decode_sonic_rs::<Vec<Order>>(black_box(&many))
    });
    g.finish();
    // ANCHOR_END: parser_cases
}

/// Any serializable value as JSON bytes.
pub fn encode_json_value(value: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(value).expect("the value serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_json_parsers_decode_the_same_orders() {
        let orders = sample_orders(3);
        let bytes = encode_json_value(&orders);
        assert_eq!(decode_serde_json::<Vec<Order>>(&bytes), orders);
        assert_eq!(decode_sonic_rs::<Vec<Order>>(&bytes), orders);
        let mut copy = bytes.clone();
        assert_eq!(decode_simd_json::<Vec<Order>>(&mut copy), orders);
    }

    // ANCHOR: round_trip
    #[test]
    fn every_format_round_trips_the_order() {
        for order in [sample_order(), sample_order_escaped(), Order::default()] {
            for (name, encode, decode) in FORMATS {
                assert_eq!(decode(&encode(&order)), order, "format {name}");
            }
            // The borrowed decoders read the bytes the owned encoders wrote.
            let view = order.borrowed();
            assert_eq!(decode_msgpack_borrowed(&encode_msgpack(&order)), view);
            assert_eq!(decode_postcard_borrowed(&encode_postcard(&order)), view);
        }
        let order = sample_order();
        assert_eq!(
            decode_json_borrowed(&encode_json(&order)).unwrap(),
            order.borrowed()
        );
    }
    // ANCHOR_END: round_trip

    #[test]
    fn binary_formats_are_smaller_than_json() {
        let order = sample_order();
        let json = encode_json(&order).len();
        for (name, encode, _) in &FORMATS[1..] {
            assert!(encode(&order).len() < json, "{name}");
        }
        assert!(encode_msgpack(&order).len() < encode_msgpack_named(&order).len());
    }

    /// The size table in the book is this code's output; `UPDATE_GENERATED=1` rewrites it.
    #[test]
    fn generated_size_table_is_current() {
        workshop::generated::assert_current(
            SIZES_FILE,
            &sizes_file(),
            "UPDATE_GENERATED=1 cargo test -p workshop --lib serialization",
        );
    }
}
