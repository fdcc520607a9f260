//! Target `input_decode`: how the `lede` binary turns bytes into documents
//! (`crates/lede/src/cli/input.rs`): [`decode`] on raw bytes under both encodings, and
//! [`read_source`] on the same bytes as a JSON Lines feed, a plain lines file and one text
//! file.
//!
//! Invariants: no panic; an accepted text is non-blank, has no NUL, and is exactly the input
//! (UTF-8 without its byte-order mark, Latin-1 byte for byte, UTF-16 re-encoding to the
//! input); a rejection names the right reason (offset of the first bad UTF-8 byte, the size
//! limit); a feed gives one record per non-blank line, numbered as in the file, whose id and
//! text are those of the line's JSON object.

use std::io::Write;

use crate::input::{
    decode, read_source, Encoding, Input, InputError, InputFormat, InputOptions, InputSource,
};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `Some(little_endian)` when `bytes` start with a UTF-16 byte-order mark.
fn utf16_bom(bytes: &[u8]) -> Option<bool> {
    match bytes {
        [0xFF, 0xFE, ..] => Some(true),
        [0xFE, 0xFF, ..] => Some(false),
        _ => None,
    }
}

fn utf16_bytes(text: &str, little: bool) -> Vec<u8> {
    text.encode_utf16()
        .flat_map(|u| {
            if little {
                u.to_le_bytes()
            } else {
                u.to_be_bytes()
            }
        })
        .collect()
}

/// Checks [`decode`] on `bytes` with both encodings and the size limit `max_bytes`.
pub fn check_decode(bytes: &[u8], max_bytes: u64) {
    for encoding in [Encoding::Utf8, Encoding::Latin1] {
        let opts = InputOptions {
            encoding,
            max_bytes,
            ..InputOptions::default()
        };
        let got = decode("doc", bytes, &opts);
        if let Err(e) = &got {
            assert!(
                e.to_string().starts_with("doc"),
                "error without the id: {e}"
            );
        }
        if bytes.len() as u64 > max_bytes {
            assert!(
                matches!(got, Err(InputError::TooLarge { bytes: b, limit, .. })
                    if b == bytes.len() as u64 && limit == max_bytes),
                "{} bytes over the limit {max_bytes}: {got:?}",
                bytes.len()
            );
            continue;
        }
        // Under --encoding latin1 a leading FF FE is two Latin-1 characters, not a mark.
        let bom = utf16_bom(bytes).filter(|_| matches!(encoding, Encoding::Utf8));
        match got {
            Ok(text) => {
                assert!(!text.trim().is_empty(), "blank text accepted: {text:?}");
                assert!(!text.contains('\0'), "NUL accepted: {text:?}");
                match (bom, encoding) {
                    (Some(little), _) => assert_eq!(
                        utf16_bytes(&text, little),
                        &bytes[2..],
                        "UTF-16 text does not re-encode to the input"
                    ),
                    (None, Encoding::Utf8) => {
                        let plain = bytes.strip_prefix(BOM).unwrap_or(bytes);
                        assert_eq!(Ok(text.as_str()), std::str::from_utf8(plain));
                    }
                    (None, Encoding::Latin1) => {
                        let latin: String = bytes.iter().map(|&b| char::from(b)).collect();
                        assert_eq!(text, latin, "Latin-1 is not byte for byte");
                    }
                }
            }
            Err(InputError::NotUtf8 { offset, .. }) => {
                assert_eq!(encoding, Encoding::Utf8, "Latin-1 never fails to decode");
                assert!(bom.is_none(), "UTF-16 input reported as bad UTF-8");
                let plain = bytes.strip_prefix(BOM).unwrap_or(bytes);
                let err = std::str::from_utf8(plain).expect_err("valid UTF-8 rejected");
                assert_eq!(offset, err.valid_up_to(), "wrong offset of the bad byte");
            }
            Err(InputError::BadUtf16(_)) => {
                let little = bom.expect("BadUtf16 without a UTF-16 byte-order mark");
                let rest = &bytes[2..];
                let units: Vec<u16> = rest
                    .chunks_exact(2)
                    .map(|p| {
                        let pair = [p[0], p[1]];
                        if little {
                            u16::from_le_bytes(pair)
                        } else {
                            u16::from_be_bytes(pair)
                        }
                    })
                    .collect();
                assert!(
                    rest.len() % 2 == 1 || String::from_utf16(&units).is_err(),
                    "valid UTF-16 rejected"
                );
            }
            Err(InputError::Empty(_)) => {
                let text = match (bom, encoding) {
                    (Some(_), _) => None,
                    (None, Encoding::Utf8) => {
                        std::str::from_utf8(bytes.strip_prefix(BOM).unwrap_or(bytes))
                            .ok()
                            .map(str::to_string)
                    }
                    (None, Encoding::Latin1) => {
                        Some(bytes.iter().map(|&b| char::from(b)).collect())
                    }
                };
                if let Some(text) = text {
                    assert!(text.trim().is_empty(), "text called empty: {text:?}");
                }
            }
            Err(InputError::Binary(_)) => {}
            Err(other) => panic!("decode gave an error it never should: {other:?}"),
        }
    }
}

/// The lines [`read_source`] makes records of: 1-based number and bytes (line end removed),
/// blank lines left out.
fn record_lines(bytes: &[u8]) -> Vec<(usize, &[u8])> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .enumerate()
        .filter_map(|(i, line)| {
            let mut end = line.len();
            while end > 0 && matches!(line[end - 1], b'\n' | b'\r') {
                end -= 1;
            }
            let line = &line[..end];
            (!line.iter().all(u8::is_ascii_whitespace)).then_some((i + 1, line))
        })
        .collect()
}

fn read_all(path: &std::path::Path, format: InputFormat, max_bytes: u64) -> Vec<Input> {
    let opts = InputOptions {
        format,
        max_bytes,
        ..InputOptions::default()
    };
    let inputs: Vec<Input> = read_source(&InputSource::Path(path.to_path_buf()), &opts).collect();
    for input in &inputs {
        match &input.document {
            Ok(doc) => {
                assert_eq!(doc.id, input.id, "document id differs from the record id");
                assert!(!doc.text.trim().is_empty(), "blank document {:?}", doc.text);
                // The limit is on the input's bytes (a JSON line's text, a line, a file);
                // decoding may grow them: Latin-1 up to 2 UTF-8 bytes per byte, UTF-16 3 per 2.
                let limit = match format {
                    InputFormat::Jsonl => max_bytes,
                    _ => max_bytes.saturating_mul(2),
                };
                assert!(doc.text.len() as u64 <= limit, "document over the limit");
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
        assert!(!input.id.is_empty(), "empty record id");
    }
    inputs
}

/// Checks [`read_source`] on `bytes` written to a `.jsonl` file, read as JSON Lines, as lines
/// and as one text.
pub fn check_feed(bytes: &[u8], max_bytes: u64) {
    let mut file = tempfile::Builder::new()
        .prefix("lede-fuzz-")
        .suffix(".jsonl")
        .tempfile()
        .expect("temp file");
    file.write_all(bytes).expect("write feed");
    file.flush().expect("flush feed");
    let path = file.path();
    let name = path.display().to_string();
    let lines = record_lines(bytes);

    let jsonl = read_all(path, InputFormat::Jsonl, max_bytes);
    assert_eq!(jsonl.len(), lines.len(), "one record per non-blank line");
    for (input, &(n, line)) in jsonl.iter().zip(&lines) {
        let fallback = format!("{name}:{n}");
        let value = std::str::from_utf8(line)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok());
        match &input.document {
            // serde_json::Value refuses what the reader may skip unread (an unknown key's
            // 1e400): such a line is compared with nothing.
            Ok(doc) => {
                let Some(value) = value else {
                    continue;
                };
                assert!(
                    value.is_object(),
                    "a line that is not a JSON object accepted"
                );
                assert_eq!(
                    value.get("text").and_then(|t| t.as_str()),
                    Some(doc.text.as_str()),
                    "text is not the line's"
                );
                for (key, got) in [
                    ("title", &doc.title),
                    ("source", &doc.source),
                    ("date", &doc.date),
                ] {
                    assert_eq!(
                        value.get(key).and_then(|t| t.as_str()),
                        got.as_deref(),
                        "{key} is not the line's"
                    );
                }
                let id = match value.get("id") {
                    Some(serde_json::Value::String(s)) if !s.is_empty() => s.clone(),
                    Some(serde_json::Value::Number(n)) => n.to_string(),
                    _ => fallback,
                };
                assert_eq!(input.id, id, "wrong id for line {n}");
            }
            Err(InputError::BadJsonLine { line, .. }) => assert_eq!(*line, n, "wrong line number"),
            Err(InputError::Empty(_) | InputError::TooLarge { .. }) => {}
            Err(other) => panic!("line {n}: unexpected error {other:?}"),
        }
    }

    let plain = read_all(path, InputFormat::Lines, max_bytes);
    assert_eq!(plain.len(), lines.len(), "one record per non-blank line");
    for (input, &(n, line)) in plain.iter().zip(&lines) {
        let id = format!("{name}:{n}");
        assert_eq!(input.id, id);
        let opts = InputOptions {
            max_bytes,
            ..InputOptions::default()
        };
        let want = decode(&id, line, &opts);
        match (&input.document, &want) {
            (Ok(doc), Ok(text)) => assert_eq!(&doc.text, text),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (got, want) => panic!("line {n}: read {got:?}, decode {want:?}"),
        }
    }

    let whole = read_all(path, InputFormat::Text, max_bytes);
    assert_eq!(whole.len(), 1, "a text file is one document");
    let opts = InputOptions {
        max_bytes,
        ..InputOptions::default()
    };
    match (&whole[0].document, decode(&name, bytes, &opts)) {
        (Ok(doc), Ok(text)) => assert_eq!(doc.text, text),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (got, want) => panic!("text file: read {got:?}, decode {want:?}"),
    }
}

/// The fuzz entry point: the first byte picks the size limit (odd: the default 10 MiB; even:
/// 2 bytes per unit, so that the limit is hit), the rest is the input.
pub fn check_bytes(data: &[u8]) {
    let Some((&knob, bytes)) = data.split_first() else {
        return;
    };
    let max_bytes = if knob % 2 == 1 {
        InputOptions::default().max_bytes
    } else {
        u64::from(knob)
    };
    check_decode(bytes, max_bytes);
    check_feed(bytes, max_bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_inputs() {
        let feed = "{\"id\":\"a\",\"text\":\"One <b>.\",\"title\":\"T\"}\r\n\n  \nnot json\n\
                    {\"id\":7,\"text\":\" \"}\n{\"text\":\"Two.\",\"id\":\"\"}\n{\"text\":3}\n\
                    {\"id\":1e3,\"text\":\"x\",\"date\":\"2024\"}\n\u{c}\n{\"id\":\"b\",\"text\":\"x\",\"tit\":1e400}\n{\"text\":\"a\",\"text\":\"b\"}";
        for knob in [1u8, 0, 8, 40] {
            let mut data = vec![knob];
            data.extend_from_slice(feed.as_bytes());
            check_bytes(&data);
        }
        for bytes in [
            &b""[..],
            b"   \n",
            b"caf\xe9 au lait",
            b"\xEF\xBB\xBFhi",
            b"\xEF\xBB\xBF",
            b"ab\0cd",
            b"\x01\x02\x03abc",
            b"\xFF\xFE",
            b"\xFF\xFEA\x00",
            b"\xFE\xFF\x00A",
            b"\xFF\xFE\x00\xD8",
            b"\xFF\xFE\x41",
            b"\xFF\xFE \x00",
            b"\xFF\xFEA\x00\x00\x00",
        ] {
            check_decode(bytes, 10 << 20);
            check_decode(bytes, 2);
            check_feed(bytes, 10 << 20);
        }
    }
}
