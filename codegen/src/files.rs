//! Writing generated files, and finding the ones that are stale.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::Error;

/// One generated file: its path below the output folder, and its contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the output folder.
    pub path: PathBuf,
    /// The full text of the file.
    pub contents: String,
}

/// A file in the output folder that does not match what the schemas generate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stale {
    /// The file should exist but does not.
    Missing(PathBuf),
    /// The file's contents differ.
    Changed(PathBuf),
    /// The file exists but nothing generates it any more.
    Extra(PathBuf),
}

/// Writes `files` below `out_dir` and removes files there that nothing generates any more.
pub fn write_files(out_dir: &Path, files: &[GeneratedFile]) -> Result<(), Error> {
    for stale in stale_files(out_dir, files)? {
        if let Stale::Extra(path) = stale {
            let full = out_dir.join(&path);
            fs::remove_file(&full).map_err(|source| Error::Io { path: full, source })?;
        }
    }
    for file in files {
        let full = out_dir.join(&file.path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        let unchanged = fs::read_to_string(&full).is_ok_and(|existing| existing == file.contents);
        if !unchanged {
            fs::write(&full, &file.contents).map_err(|source| Error::Io { path: full, source })?;
        }
    }
    Ok(())
}

/// Compares `out_dir` with `files`; an empty list means the checked-in output is fresh.
pub fn stale_files(out_dir: &Path, files: &[GeneratedFile]) -> Result<Vec<Stale>, Error> {
    let mut stale = Vec::new();
    let expected: BTreeSet<&Path> = files.iter().map(|file| file.path.as_path()).collect();
    for file in files {
        match fs::read_to_string(out_dir.join(&file.path)) {
            Ok(existing) if existing == file.contents => {}
            Ok(_) => stale.push(Stale::Changed(file.path.clone())),
            Err(_) => stale.push(Stale::Missing(file.path.clone())),
        }
    }
    for existing in list_files(out_dir, out_dir)? {
        if !expected.contains(existing.as_path()) {
            stale.push(Stale::Extra(existing));
        }
    }
    Ok(stale)
}

/// Groups files by the first component of their path: each folder with its files, their paths
/// now relative to it. `docs/` holds hand-written files too, so each generated folder below it
/// is compared and rewritten on its own (a file in `docs/` itself is never touched).
pub fn by_folder(files: &[GeneratedFile]) -> Vec<(PathBuf, Vec<GeneratedFile>)> {
    let mut folders: Vec<(PathBuf, Vec<GeneratedFile>)> = Vec::new();
    for file in files {
        let mut components = file.path.components();
        let folder = PathBuf::from(components.next().map_or("".as_ref(), |c| c.as_os_str()));
        let file = GeneratedFile {
            path: components.as_path().to_owned(),
            contents: file.contents.clone(),
        };
        match folders.iter_mut().find(|(existing, _)| *existing == folder) {
            Some((_, files)) => files.push(file),
            None => folders.push((folder, vec![file])),
        }
    }
    folders
}

/// Every file below `dir`, read as text (the checked-in output, for checking its links).
pub fn read_files(dir: &Path) -> Result<Vec<GeneratedFile>, Error> {
    let mut files = Vec::new();
    for path in list_files(dir, dir)? {
        let full = dir.join(&path);
        let contents =
            fs::read_to_string(&full).map_err(|source| Error::Io { path: full, source })?;
        files.push(GeneratedFile { path, contents });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn list_files(root: &Path, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(found);
    };
    for entry in entries {
        let entry = entry.map_err(|source| Error::Io {
            path: dir.to_owned(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            found.extend(list_files(root, &path)?);
        } else if let Ok(relative) = path.strip_prefix(root) {
            found.push(relative.to_owned());
        }
    }
    Ok(found)
}
