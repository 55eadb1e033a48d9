//! An SFTP (version 3) server made of the communicator's calls, for
//! machines without an `sftp-server`: a file opened for writing collects
//! in a local temporary file and is uploaded when closed; one opened for
//! reading is downloaded when opened; the rest are small shell commands
//! ([`crate::remote`]). That is what `scp` (SFTP mode), `sftp` and
//! ansible's transfers use.

use crate::bridge::Jobs;
use crate::remote::{self, Stat, S_IFREG};
use crate::shell::quote;
use kiln_core::communicator::FileMode;
use kiln_core::{Cancel, CommError, Communicator};
use russh_sftp::protocol::{
    Attrs, Data, File, FileAttributes, Handle, Name, OpenFlags, Status, StatusCode, Version,
};
use russh_sftp::server::{Handler, StatusReply};
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};

enum Open {
    File {
        path: String,
        local: std::fs::File,
        writable: bool,
        /// The permissions it is uploaded with.
        mode: u32,
    },
    Dir {
        entries: Option<Vec<File>>,
    },
}

pub(crate) struct SftpServer {
    jobs: Jobs,
    cancel: Cancel,
    open: HashMap<String, Open>,
    next: u64,
}

type Reply<T> = Result<T, StatusReply>;

fn failure(message: impl Into<String>) -> StatusReply {
    StatusCode::Failure.with_message(message)
}

fn no_such_file(message: impl Into<String>) -> StatusReply {
    StatusCode::NoSuchFile.with_message(message)
}

fn io_failure(e: std::io::Error) -> StatusReply {
    failure(e.to_string())
}

fn ok(id: u32) -> Status {
    Status {
        id,
        status_code: StatusCode::Ok,
        error_message: "Ok".to_owned(),
        language_tag: "en-US".to_owned(),
    }
}

fn attrs_of(s: &Stat) -> FileAttributes {
    FileAttributes {
        size: Some(s.size),
        uid: Some(s.uid),
        user: None,
        gid: Some(s.gid),
        group: None,
        permissions: Some(s.mode),
        atime: Some(s.atime),
        mtime: Some(s.mtime),
    }
}

impl SftpServer {
    pub fn new(jobs: Jobs, cancel: Cancel) -> SftpServer {
        SftpServer {
            jobs,
            cancel,
            open: HashMap::new(),
            next: 0,
        }
    }

    /// Run `f` with the communicator on a thread of its own.
    async fn with_comm<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Communicator, &Cancel) -> Result<T, CommError> + Send + 'static,
    ) -> Reply<T> {
        let cancel = self.cancel.clone();
        match self.jobs.run(move |comm| f(comm, &cancel)).await {
            Some(Ok(v)) => Ok(v),
            Some(Err(e)) => Err(failure(e.to_string())),
            None => Err(StatusCode::ConnectionLost.into()),
        }
    }

    async fn stat_path(&self, path: String, follow: bool) -> Reply<Stat> {
        let shown = path.clone();
        self.with_comm(move |comm, cancel| remote::stat(comm, &path, follow, cancel))
            .await?
            .ok_or_else(|| no_such_file(format!("{shown}: No such file or directory")))
    }

    /// A shell command whose failure is the request's.
    async fn command(&self, id: u32, command: String) -> Reply<Status> {
        self.with_comm(move |comm, cancel| remote::check(comm, &command, cancel))
            .await?
            .map_err(failure)?;
        Ok(ok(id))
    }

    fn add(&mut self, open: Open) -> String {
        self.next += 1;
        let handle = format!("kiln-{}", self.next);
        self.open.insert(handle.clone(), open);
        handle
    }

    fn file(&mut self, handle: &str) -> Reply<(&mut std::fs::File, &mut u32, bool)> {
        match self.open.get_mut(handle) {
            Some(Open::File {
                local,
                mode,
                writable,
                ..
            }) => Ok((local, mode, *writable)),
            _ => Err(StatusCode::Failure.with_message("invalid handle")),
        }
    }
}

impl Handler for SftpServer {
    type Error = StatusReply;

    fn unimplemented(&self) -> Self::Error {
        StatusCode::OpUnsupported.into()
    }

    async fn init(&mut self, _version: u32, _ext: HashMap<String, String>) -> Reply<Version> {
        Ok(Version::new())
    }

    async fn realpath(&mut self, id: u32, path: String) -> Reply<Name> {
        let resolved = self
            .with_comm(move |comm, cancel| remote::realpath(comm, &path, cancel))
            .await?
            .map_err(no_such_file)?;
        Ok(Name {
            id,
            files: vec![File::dummy(resolved)],
        })
    }

    async fn stat(&mut self, id: u32, path: String) -> Reply<Attrs> {
        let s = self.stat_path(path, true).await?;
        Ok(Attrs {
            id,
            attrs: attrs_of(&s),
        })
    }

    async fn lstat(&mut self, id: u32, path: String) -> Reply<Attrs> {
        let s = self.stat_path(path, false).await?;
        Ok(Attrs {
            id,
            attrs: attrs_of(&s),
        })
    }

    async fn fstat(&mut self, id: u32, handle: String) -> Reply<Attrs> {
        let (local, mode, _) = self.file(&handle)?;
        let size = local.metadata().map_err(io_failure)?.len();
        let s = Stat {
            mode: S_IFREG | *mode,
            size,
            ..Stat::default()
        };
        Ok(Attrs {
            id,
            attrs: attrs_of(&s),
        })
    }

    async fn open(
        &mut self,
        id: u32,
        filename: String,
        pflags: OpenFlags,
        attrs: FileAttributes,
    ) -> Reply<Handle> {
        let writable = pflags.intersects(OpenFlags::WRITE | OpenFlags::APPEND);
        let existing = self.stat_path(filename.clone(), true).await.ok();
        if existing.is_some_and(|s| s.is_dir()) {
            return Err(failure(format!("{filename}: Is a directory")));
        }
        if writable && existing.is_some() && pflags.contains(OpenFlags::CREATE | OpenFlags::EXCLUDE)
        {
            return Err(failure(format!("{filename}: File exists")));
        }
        if existing.is_none() && !(writable && pflags.contains(OpenFlags::CREATE)) {
            return Err(no_such_file(format!(
                "{filename}: No such file or directory"
            )));
        }
        let mut local = tempfile::tempfile().map_err(io_failure)?;
        let keep_content =
            existing.is_some() && !(writable && pflags.contains(OpenFlags::TRUNCATE));
        if keep_content {
            let path = filename.clone();
            let copy = local.try_clone().map_err(io_failure)?;
            self.with_comm(move |comm, _| {
                let mut copy = copy;
                comm.download(&path, &mut copy)
            })
            .await?;
            local.rewind().map_err(io_failure)?;
        }
        // The new file's permissions as OpenSSH's server gives them under
        // the usual umask (022); an existing file keeps its own.
        let mode = attrs
            .permissions
            .map(|p| p & 0o7777 & !0o022)
            .or(existing.map(|s| s.permissions()))
            .unwrap_or(0o644);
        let handle = self.add(Open::File {
            path: filename,
            local,
            writable,
            mode,
        });
        Ok(Handle { id, handle })
    }

    async fn read(&mut self, id: u32, handle: String, offset: u64, len: u32) -> Reply<Data> {
        let (local, _, _) = self.file(&handle)?;
        local.seek(SeekFrom::Start(offset)).map_err(io_failure)?;
        let mut data = Vec::new();
        local
            .take(u64::from(len))
            .read_to_end(&mut data)
            .map_err(io_failure)?;
        if data.is_empty() && len > 0 {
            return Err(StatusCode::Eof.into());
        }
        Ok(Data { id, data })
    }

    async fn write(
        &mut self,
        id: u32,
        handle: String,
        offset: u64,
        data: Vec<u8>,
    ) -> Reply<Status> {
        let (local, _, writable) = self.file(&handle)?;
        if !writable {
            return Err(StatusCode::PermissionDenied.with_message("not open for writing"));
        }
        local.seek(SeekFrom::Start(offset)).map_err(io_failure)?;
        local.write_all(&data).map_err(io_failure)?;
        Ok(ok(id))
    }

    async fn fsetstat(&mut self, id: u32, handle: String, attrs: FileAttributes) -> Reply<Status> {
        let path = match self.open.get(&handle) {
            Some(Open::File { path, .. }) => path.clone(),
            _ => return Err(failure("invalid handle")),
        };
        let (_, mode, writable) = self.file(&handle)?;
        if let Some(p) = attrs.permissions {
            *mode = p & 0o7777;
            if !writable {
                return self
                    .command(id, format!("chmod {:o} -- {}", p & 0o7777, quote(&path)))
                    .await;
            }
        }
        // Times are not kept: uploads set their own.
        Ok(ok(id))
    }

    async fn setstat(&mut self, id: u32, path: String, attrs: FileAttributes) -> Reply<Status> {
        let Some(p) = attrs.permissions else {
            return Ok(ok(id));
        };
        for open in self.open.values_mut() {
            if let Open::File {
                path: open_path,
                mode,
                writable: true,
                ..
            } = open
            {
                if *open_path == path {
                    *mode = p & 0o7777;
                }
            }
        }
        self.command(id, format!("chmod {:o} -- {}", p & 0o7777, quote(&path)))
            .await
    }

    async fn close(&mut self, id: u32, handle: String) -> Reply<Status> {
        match self.open.remove(&handle) {
            Some(Open::File {
                path,
                mut local,
                writable: true,
                mode,
            }) => {
                local.rewind().map_err(io_failure)?;
                self.with_comm(move |comm, _| comm.upload(&path, &mut local, FileMode(Some(mode))))
                    .await?;
                Ok(ok(id))
            }
            Some(_) => Ok(ok(id)),
            None => Err(failure("invalid handle")),
        }
    }

    async fn opendir(&mut self, id: u32, path: String) -> Reply<Handle> {
        let entries = self
            .with_comm(move |comm, cancel| remote::list(comm, &path, cancel))
            .await?
            .map_err(no_such_file)?;
        let files = entries
            .into_iter()
            .map(|(name, s)| File::new(name, attrs_of(&s)))
            .collect();
        let handle = self.add(Open::Dir {
            entries: Some(files),
        });
        Ok(Handle { id, handle })
    }

    async fn readdir(&mut self, id: u32, handle: String) -> Reply<Name> {
        match self.open.get_mut(&handle) {
            Some(Open::Dir { entries }) => match entries.take() {
                Some(files) if !files.is_empty() => Ok(Name { id, files }),
                _ => Err(StatusCode::Eof.into()),
            },
            _ => Err(failure("invalid handle")),
        }
    }

    async fn remove(&mut self, id: u32, filename: String) -> Reply<Status> {
        self.command(id, format!("rm -- {}", quote(&filename)))
            .await
    }

    async fn mkdir(&mut self, id: u32, path: String, attrs: FileAttributes) -> Reply<Status> {
        let mode = attrs.permissions.map_or(0o755, |p| p & 0o7777 & !0o022);
        self.command(id, format!("mkdir -m {mode:o} -- {}", quote(&path)))
            .await
    }

    async fn rmdir(&mut self, id: u32, path: String) -> Reply<Status> {
        self.command(id, format!("rmdir -- {}", quote(&path))).await
    }

    async fn rename(&mut self, id: u32, oldpath: String, newpath: String) -> Reply<Status> {
        self.command(id, format!("mv -- {} {}", quote(&oldpath), quote(&newpath)))
            .await
    }

    async fn readlink(&mut self, id: u32, path: String) -> Reply<Name> {
        let shown = path.clone();
        let ran = self
            .with_comm(move |comm, cancel| {
                remote::run(comm, &format!("readlink -- {}", quote(&path)), cancel)
            })
            .await?;
        match ran.out.lines().next() {
            Some(target) if ran.code == 0 => Ok(Name {
                id,
                files: vec![File::dummy(target)],
            }),
            _ => Err(no_such_file(format!("{shown}: {}", ran.message()))),
        }
    }

    /// OpenSSH sends the link's target first and the link second (the
    /// reverse of the draft), and every client follows OpenSSH.
    async fn symlink(&mut self, id: u32, linkpath: String, targetpath: String) -> Reply<Status> {
        self.command(
            id,
            format!("ln -s -- {} {}", quote(&linkpath), quote(&targetpath)),
        )
        .await
    }
}
