//! Target `safetensors_header`: lede-models' weights reading (`crates/models/src/weights.rs`)
//! on arbitrary bytes written to a file: [`detect_format`], [`SafeTensorsHeader::read`], and
//! the strict [`load`] into a small `VarStore`.
//!
//! Invariants: no panic, an error for bad input; no Rust allocation larger than the file
//! warrants (a lying header length or tensor size must not allocate what it claims); an
//! accepted header's tensors lie inside the file's data section and each covers exactly its
//! shape times its dtype's size; an accepted load filled every variable (or left it missing
//! where allowed) with its own shape, and holds the file's values.
//!
//! libtorch archives (files starting `PK\x03\x04`, read by libtorch's own zip and pickle
//! reader) are left out: that reader is libtorch's, not lede's.

use std::path::Path;

use lede_models::weights::{detect_format, load, LoadOptions, SafeTensorsHeader, WeightsFormat};
use lede_models::WeightsFile;
use tch::nn::VarStore;
use tch::{Device, Kind, Tensor};

/// The variables of the small model the fuzz input is loaded into, with their shapes.
pub const VARIABLES: [(&str, &[i64]); 5] = [
    ("embeddings.weight", &[4, 3]),
    ("encoder.layer.0.dense.weight", &[3, 3]),
    ("encoder.layer.0.dense.bias", &[3]),
    ("encoder.layer.1.dense.bias", &[3]),
    ("head.bias", &[2]),
];

fn element_size(dtype: &str) -> Option<u64> {
    Some(match dtype {
        "F64" | "I64" => 8,
        "F32" | "I32" => 4,
        "F16" | "BF16" | "I16" => 2,
        "I8" | "U8" | "BOOL" => 1,
        _ => return None,
    })
}

fn check_header(bytes: &[u8], header: &SafeTensorsHeader) {
    let header_len = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    assert_eq!(header.data_start, 8 + header_len, "data_start");
    let data_len = bytes.len() as u64 - header.data_start;
    for (name, t) in &header.tensors {
        let (a, b) = t.offsets;
        assert!(
            a <= b && b <= data_len,
            "{name}: offsets {a}..{b} outside {data_len}"
        );
        let size = element_size(&t.dtype).unwrap_or_else(|| panic!("{name}: dtype {}", t.dtype));
        let numel = t
            .shape
            .iter()
            .try_fold(1u64, |n, &d| n.checked_mul(u64::try_from(d).ok()?))
            .unwrap_or_else(|| panic!("{name}: shape {:?}", t.shape));
        assert_eq!(numel.checked_mul(size), Some(b - a), "{name}: size");
    }
}

/// The values of tensor `name` of the file, as f64, when its dtype is a float one.
fn file_values(bytes: &[u8], header: &SafeTensorsHeader, name: &str) -> Option<Vec<f64>> {
    let t = header.tensors.get(name)?;
    let start = usize::try_from(header.data_start + t.offsets.0).ok()?;
    let end = usize::try_from(header.data_start + t.offsets.1).ok()?;
    let raw = bytes.get(start..end)?;
    match t.dtype.as_str() {
        "F32" => Some(
            raw.chunks_exact(4)
                .map(|c| f64::from(f32::from_le_bytes(c.try_into().expect("4 bytes"))))
                .collect(),
        ),
        "F64" => Some(
            raw.chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                .collect(),
        ),
        _ => None,
    }
}

fn check_load(bytes: &[u8], path: &Path, knob: u8) {
    let mut vs = VarStore::new(Device::Cpu);
    let root = vs.root();
    let vars: Vec<(&str, Tensor)> = VARIABLES
        .iter()
        .map(|&(name, shape)| {
            let (prefix, leaf) = name.rsplit_once('.').expect("dotted name");
            let mut p = root.clone();
            for part in prefix.split('.') {
                p = p.sub(part);
            }
            (name, p.zeros_no_train(leaf, shape))
        })
        .collect();
    let options = LoadOptions {
        aliases: if knob & 1 == 1 {
            vec![("".into(), "bert.".into())]
        } else {
            Vec::new()
        },
        allow_missing: vec!["head.".into()],
        skip_extra_layers: knob & 2 == 2,
    };
    let file = WeightsFile {
        path: path.to_path_buf(),
        format: WeightsFormat::SafeTensors,
    };
    let report = match load(&mut vs, &[file], Path::new("config.json"), &options) {
        Ok(r) => r,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    assert_eq!(
        report.loaded + report.missing.len(),
        VARIABLES.len(),
        "{report:?}"
    );
    assert!(report.missing.iter().all(|m| m.starts_with("head.")));
    let header = SafeTensorsHeader::read(path).expect("a loaded file has a valid header");
    for ((name, shape), (_, t)) in VARIABLES.iter().zip(&vars) {
        assert_eq!(&t.size(), shape, "{name} changed shape");
        if report.missing.iter().any(|m| m == name) {
            continue;
        }
        let in_file = [name.to_string(), format!("bert.{name}")]
            .into_iter()
            .find(|n| header.tensors.contains_key(n))
            .unwrap_or_else(|| panic!("{name} loaded but not in the file"));
        if let Some(want) = file_values(bytes, &header, &in_file) {
            let got = Vec::<f64>::try_from(&t.to_kind(Kind::Double).contiguous().view([-1]))
                .expect("values");
            let same = want.len() == got.len()
                && want.iter().zip(&got).all(|(w, g)| {
                    (*w as f32).to_bits() == (*g as f32).to_bits() || (w.is_nan() && g.is_nan())
                });
            assert!(same, "{name}: file {want:?}, loaded {got:?}");
        }
    }
}

/// Checks the readers on `bytes`; `knob` varies the load options.
pub fn check(bytes: &[u8], knob: u8) {
    if bytes.starts_with(b"PK\x03\x04") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("model.safetensors");
    std::fs::write(&path, bytes).expect("write weights");
    // What the input may make lede allocate at once: the file's size, plus room for the
    // header's parsed form and libtorch's bookkeeping.
    let limit = 4 * bytes.len() + (1 << 20);
    let ((), largest) = crate::largest_allocation(|| {
        let format = detect_format(&path);
        match SafeTensorsHeader::read(&path) {
            Ok(header) => check_header(bytes, &header),
            Err(e) => {
                let _ = e.to_string();
            }
        }
        if let Ok(WeightsFormat::SafeTensors) = format {
            check_load(bytes, &path, knob);
        }
    });
    assert!(
        largest <= limit,
        "a {}-byte file made lede allocate {largest} bytes at once",
        bytes.len()
    );
}

/// The fuzz entry point: the last byte is the knob, all bytes are the file.
pub fn check_bytes(data: &[u8]) {
    check(data, data.last().copied().unwrap_or(0));
}

/// A safetensors file of `tensors` (name, dtype, shape, data bytes), in order.
pub fn safetensors(tensors: &[(&str, &str, &[i64], &[u8])]) -> Vec<u8> {
    let mut header = String::from("{");
    let mut data = Vec::new();
    for (i, (name, dtype, shape, bytes)) in tensors.iter().enumerate() {
        let dims: Vec<String> = shape.iter().map(i64::to_string).collect();
        if i > 0 {
            header.push(',');
        }
        header.push_str(&format!(
            "\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{}],\"data_offsets\":[{},{}]}}",
            dims.join(","),
            data.len(),
            data.len() + bytes.len()
        ));
        data.extend_from_slice(bytes);
    }
    header.push('}');
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(&data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32s(n: usize) -> Vec<u8> {
        (0..n)
            .flat_map(|i| (i as f32 - 2.5).to_le_bytes())
            .collect()
    }

    #[test]
    fn fixed_inputs() {
        let full = safetensors(&[
            ("embeddings.weight", "F32", &[4, 3], &f32s(12)),
            ("encoder.layer.0.dense.weight", "F32", &[3, 3], &f32s(9)),
            ("encoder.layer.0.dense.bias", "F64", &[3], &[0u8; 24]),
            ("encoder.layer.1.dense.bias", "F16", &[3], &[0u8; 6]),
            ("encoder.layer.2.dense.bias", "F32", &[3], &f32s(3)),
        ]);
        for knob in 0..4 {
            check(&full, knob);
        }
        let mut lying = full.clone();
        lying[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        check(&lying, 0);
        lying[..8].copy_from_slice(&99_999_999u64.to_le_bytes());
        check(&lying, 0);
        for bytes in [
            &b""[..],
            b"\x02\0\0\0\0\0\0\0{}",
            b"\x02\0\0\0\0\0\0\0[]",
            b"PK\x03\x04",
            &full[..full.len() - 1],
        ] {
            check(bytes, 0);
        }
        let huge = safetensors(&[("embeddings.weight", "F32", &[1 << 40, 1 << 40], &[])]);
        check(&huge, 0);
    }
}
