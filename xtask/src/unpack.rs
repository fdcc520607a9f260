//! Selective extraction of files from wheels (zip archives).

use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// What one extraction wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Extracted {
    /// Number of files written.
    pub files: usize,
    /// Uncompressed bytes written.
    pub bytes: u64,
}

/// Opens `wheel` as a zip archive, which reads its central directory: a truncated or corrupt
/// download fails here instead of half-way through an extraction.
pub fn open(wheel: &Path) -> Result<zip::ZipArchive<File>> {
    let file = File::open(wheel).with_context(|| format!("cannot open {}", wheel.display()))?;
    zip::ZipArchive::new(file)
        .with_context(|| format!("{} is not a readable wheel (zip)", wheel.display()))
}

/// Extracts the entries of `wheel` that `select` maps to a relative destination path, under
/// `dest`. Entries are checked against their CRC-32 as they are read. Entry names that would
/// escape the archive (absolute, `..`) are skipped, and so are directories (they are created
/// as needed).
pub fn extract(
    wheel: &Path,
    dest: &Path,
    select: impl Fn(&Path) -> Option<PathBuf>,
) -> Result<Extracted> {
    let mut archive = open(wheel)?;
    let mut done = Extracted::default();
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .with_context(|| format!("cannot read entry {index} of {}", wheel.display()))?;
        if entry.is_dir() {
            continue;
        }
        let Some(name) = entry.enclosed_name().map(Path::to_path_buf) else {
            continue;
        };
        let Some(relative) = select(&name) else {
            continue;
        };
        if relative.is_absolute()
            || relative
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            bail!(
                "refusing to extract {} to {}",
                name.display(),
                relative.display()
            );
        }
        let target = dest.join(&relative);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let out =
            File::create(&target).with_context(|| format!("cannot write {}", target.display()))?;
        let mut out = BufWriter::with_capacity(1 << 20, out);
        let bytes = io::copy(&mut entry, &mut out).with_context(|| {
            format!(
                "cannot extract {} from {} to {}",
                name.display(),
                wheel.display(),
                target.display()
            )
        })?;
        out.into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {}", target.display()))?;
        if let Some(mode) = entry.unix_mode() {
            use std::os::unix::fs::PermissionsExt;
            // Keep the permission bits only (never set-uid and the like), and keep files
            // readable by their owner.
            let mode = (mode & 0o777) | 0o600;
            fs::set_permissions(&target, fs::Permissions::from_mode(mode))
                .with_context(|| format!("cannot set permissions of {}", target.display()))?;
        }
        done.files += 1;
        done.bytes += bytes;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Writes a small zip with the given (name, contents) entries.
    fn make_zip(path: &Path, entries: &[(&str, &[u8])]) {
        let file = File::create(path).unwrap();
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::FileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(0o644);
        for (name, data) in entries {
            zip.start_file(*name, options).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
    }

    #[test]
    fn extracts_only_selected_entries_under_new_names() {
        let dir = tempfile::tempdir().unwrap();
        let wheel = dir.path().join("w.whl");
        make_zip(
            &wheel,
            &[
                ("pkg/model/config.json", b"{}"),
                ("pkg/model/sub/a.txt", b"aaaa"),
                ("pkg/other.py", b"print()"),
            ],
        );
        let dest = dir.path().join("out");
        let done = extract(&wheel, &dest, |p| {
            p.strip_prefix("pkg/model").ok().map(Path::to_path_buf)
        })
        .unwrap();
        assert_eq!(done, Extracted { files: 2, bytes: 6 });
        assert_eq!(fs::read(dest.join("config.json")).unwrap(), b"{}");
        assert_eq!(fs::read(dest.join("sub/a.txt")).unwrap(), b"aaaa");
        assert!(!dest.join("other.py").exists());
    }

    #[test]
    fn truncated_archive_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let wheel = dir.path().join("w.whl");
        make_zip(&wheel, &[("a/b", &[7u8; 4096])]);
        let bytes = fs::read(&wheel).unwrap();
        fs::write(&wheel, &bytes[..bytes.len() / 2]).unwrap();
        assert!(open(&wheel).is_err());
        assert!(extract(&wheel, &dir.path().join("out"), |p| Some(p.to_path_buf())).is_err());
    }

    #[test]
    fn selector_cannot_escape_destination() {
        let dir = tempfile::tempdir().unwrap();
        let wheel = dir.path().join("w.whl");
        make_zip(&wheel, &[("a/b", b"x")]);
        let err = extract(&wheel, &dir.path().join("out"), |_| {
            Some(PathBuf::from("../evil"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("refusing"), "{err}");
        assert!(!dir.path().join("evil").exists());
    }
}
