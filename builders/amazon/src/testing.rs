//! For kiln's own tests: a throwaway `moto_server` (an EC2 emulator) on a
//! free loopback port, killed on drop, and an inventory of what an
//! account holds, to prove a build left nothing behind. Fails with a
//! pointer to `scripts/setup.sh` when moto is missing instead of
//! skipping.

use crate::session::{Access, Ec2, Session};
use aws_sdk_ec2::types::{Filter, InstanceStateName};
use kiln_core::Cancel;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where `scripts/setup.sh` installs moto.
pub const VENV_MOTO: &str = "/var/cache/kiln/venv/bin/moto_server";

/// The account moto answers for. Its `owner-id = self` snapshot filter
/// also lists the built-in AMIs' snapshots, so ownership is checked here.
pub const MOTO_ACCOUNT: &str = "123456789012";

/// Dummy credentials moto accepts.
pub const ACCESS_KEY: &str = "AKIDKILNTEST";
pub const SECRET_KEY: &str = "kiln-test-secret";

pub struct Moto {
    pub port: u16,
    child: Child,
    log: tempfile::NamedTempFile,
    /// moto's request recording (`MOTO_ENABLE_RECORDING`), when asked for.
    recording: Option<tempfile::NamedTempFile>,
}

/// One request moto recorded.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub url: String,
    pub headers: std::collections::BTreeMap<String, String>,
    /// The body as text (moto base64-encodes byte bodies; decoded here).
    pub body: String,
}

impl Recorded {
    /// The body as form fields (the Query protocol of EC2, STS and IAM).
    pub fn form(&self) -> std::collections::BTreeMap<String, String> {
        self.body
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (percent_decode(k), percent_decode(v))
            })
            .collect()
    }

    /// The query action (`Action=…`), if any.
    pub fn action(&self) -> Option<String> {
        self.form().get("Action").cloned()
    }

    /// The access key id the request was signed with.
    pub fn access_key(&self) -> Option<String> {
        let auth = self
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))?
            .1;
        let cred = auth.split("Credential=").nth(1)?;
        cred.split('/').next().map(str::to_owned)
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What an account holds that a build could have created.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Inventory {
    /// Instances not yet terminated.
    pub instances: Vec<String>,
    pub key_pairs: Vec<String>,
    /// Security groups other than the VPCs' `default` ones.
    pub security_groups: Vec<String>,
    /// AMIs and snapshots owned by the account.
    pub images: Vec<String>,
    pub snapshots: Vec<String>,
    pub volumes: Vec<String>,
}

impl Inventory {
    pub fn is_empty(&self) -> bool {
        *self == Inventory::default()
    }
}

fn moto_binary() -> Result<PathBuf, String> {
    if let Ok(p) = std::env::var("KILN_MOTO_SERVER") {
        return Ok(PathBuf::from(p));
    }
    if let Some(venv) = std::env::var_os("KILN_VENV") {
        let p = PathBuf::from(venv).join("bin/moto_server");
        if p.exists() {
            return Ok(p);
        }
    }
    if std::path::Path::new(VENV_MOTO).exists() {
        return Ok(PathBuf::from(VENV_MOTO));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("moto_server"))
        .find(|p| p.exists())
        .ok_or_else(|| {
            format!("moto_server not found ({VENV_MOTO}, PATH): run scripts/setup.sh (it installs moto[server])")
        })
}

impl Moto {
    pub fn start() -> Result<Moto, String> {
        Moto::start_with(false)
    }

    /// A moto that records every request ([`Moto::recorded`]).
    pub fn start_recording() -> Result<Moto, String> {
        Moto::start_with(true)
    }

    fn start_with(record: bool) -> Result<Moto, String> {
        let bin = moto_binary()?;
        let mut last = String::new();
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .map_err(|e| e.to_string())?;
            let log = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
            let err = log.reopen().map_err(|e| e.to_string())?;
            let recording = if record {
                Some(tempfile::NamedTempFile::new().map_err(|e| e.to_string())?)
            } else {
                None
            };
            let mut cmd = Command::new(&bin);
            if let Some(r) = &recording {
                cmd.env("MOTO_ENABLE_RECORDING", "True")
                    .env("MOTO_RECORDER_FILEPATH", r.path());
            }
            let mut child = cmd
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(err)
                .spawn()
                .map_err(|e| format!("starting {}: {e} (run scripts/setup.sh)", bin.display()))?;
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(30) {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Ok(Moto {
                        port,
                        child,
                        log,
                        recording,
                    });
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
            last = std::fs::read_to_string(log.path()).unwrap_or_default();
        }
        Err(format!("moto_server did not start: {last}"))
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The requests moto recorded so far (empty unless started with
    /// [`Moto::start_recording`]).
    pub fn recorded(&self) -> Vec<Recorded> {
        use base64::Engine;
        let Some(r) = &self.recording else {
            return Vec::new();
        };
        let text = std::fs::read_to_string(r.path()).unwrap_or_default();
        text.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| {
                let s = |k: &str| {
                    v.get(k)
                        .and_then(|x| x.as_str())
                        .unwrap_or_default()
                        .to_owned()
                };
                let raw = s("body");
                let body = if v.get("body_encoded").and_then(|b| b.as_bool()) == Some(true) {
                    base64::engine::general_purpose::STANDARD
                        .decode(raw.as_bytes())
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or(raw)
                } else {
                    raw
                };
                let headers = v
                    .get("headers")
                    .and_then(|h| h.as_object())
                    .map(|h| {
                        h.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                            .collect()
                    })
                    .unwrap_or_default();
                Recorded {
                    method: s("method"),
                    url: s("url"),
                    headers,
                    body,
                }
            })
            .collect()
    }

    /// The recorded requests of one query action (`AssumeRole`, …).
    pub fn recorded_action(&self, action: &str) -> Vec<Recorded> {
        self.recorded()
            .into_iter()
            .filter(|r| r.action().as_deref() == Some(action))
            .collect()
    }

    /// An IAM client aimed at this moto.
    pub fn iam(&self) -> Result<(std::sync::Arc<Session>, aws_sdk_iam::Client), String> {
        let session = self.session("us-east-1")?;
        let iam = aws_sdk_iam::Client::from_conf(
            aws_sdk_iam::config::Builder::from(session.sdk())
                .endpoint_url(self.endpoint())
                .build(),
        );
        Ok((session, iam))
    }

    /// Names of the account's IAM roles and instance profiles.
    pub fn iam_inventory(&self) -> Result<(Vec<String>, Vec<String>), String> {
        let (session, iam) = self.iam()?;
        let c = Cancel::new();
        let roles = session
            .call(&c, "ListRoles", iam.list_roles().send())
            .map_err(|e| e.to_string())?
            .roles()
            .iter()
            .map(|r| r.role_name().to_owned())
            .collect();
        let profiles = session
            .call(
                &c,
                "ListInstanceProfiles",
                iam.list_instance_profiles().send(),
            )
            .map_err(|e| e.to_string())?
            .instance_profiles()
            .iter()
            .map(|p| p.instance_profile_name().to_owned())
            .collect();
        Ok((roles, profiles))
    }

    /// Create an (empty) instance profile `name`.
    pub fn create_instance_profile(&self, name: &str) -> Result<(), String> {
        let (session, iam) = self.iam()?;
        session
            .call(
                &Cancel::new(),
                "CreateInstanceProfile",
                iam.create_instance_profile()
                    .instance_profile_name(name)
                    .send(),
            )
            .map(drop)
            .map_err(|e| e.to_string())
    }

    /// moto's request log (werkzeug's lines on stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    pub fn ec2(&self, region: &str) -> Result<Ec2, String> {
        let session = Session::open(&Access {
            access_key: Some(ACCESS_KEY.to_owned()),
            secret_key: Some(SECRET_KEY.to_owned()),
            region: Some(region.to_owned()),
            endpoint: Some(self.endpoint()),
            ..Access::default()
        })
        .map_err(|e| e.to_string())?;
        Ok(session.ec2(region))
    }

    fn session(&self, region: &str) -> Result<std::sync::Arc<Session>, String> {
        Session::open(&Access {
            access_key: Some(ACCESS_KEY.to_owned()),
            secret_key: Some(SECRET_KEY.to_owned()),
            region: Some(region.to_owned()),
            ..Access::default()
        })
        .map_err(|e| e.to_string())
    }

    /// Register an AMI `name` owned by the account, tagged with `tags`;
    /// its id. moto dates it now, to the second.
    pub fn register_image(
        &self,
        region: &str,
        name: &str,
        tags: &[(&str, &str)],
    ) -> Result<String, String> {
        let ec2 = self.ec2(region)?;
        let c = Cancel::new();
        let id = ec2
            .call(
                &c,
                "RegisterImage",
                ec2.client
                    .register_image()
                    .name(name)
                    .root_device_name("/dev/sda1")
                    .send(),
            )
            .map_err(|e| e.to_string())?
            .image_id()
            .unwrap_or_default()
            .to_owned();
        if !tags.is_empty() {
            let mut req = ec2.client.create_tags().resources(&id);
            for (k, v) in tags {
                req = req.tags(aws_sdk_ec2::types::Tag::builder().key(*k).value(*v).build());
            }
            ec2.call(&c, "CreateTags", req.send())
                .map_err(|e| e.to_string())?;
        }
        Ok(id)
    }

    /// Put an SSM parameter (`SecureString` when `secure`).
    pub fn put_parameter(
        &self,
        region: &str,
        name: &str,
        value: &str,
        secure: bool,
    ) -> Result<(), String> {
        let session = self.session(region)?;
        let ssm = aws_sdk_ssm::Client::from_conf(
            aws_sdk_ssm::config::Builder::from(session.sdk())
                .endpoint_url(self.endpoint())
                .build(),
        );
        let kind = if secure {
            aws_sdk_ssm::types::ParameterType::SecureString
        } else {
            aws_sdk_ssm::types::ParameterType::String
        };
        let req = ssm
            .put_parameter()
            .name(name)
            .value(value)
            .r#type(kind)
            .overwrite(true)
            .send();
        session
            .call(&Cancel::new(), "PutParameter", req)
            .map(drop)
            .map_err(|e| e.to_string())
    }

    /// Create a secret holding `value`; its version id.
    pub fn create_secret(&self, region: &str, name: &str, value: &str) -> Result<String, String> {
        let session = self.session(region)?;
        let sm = aws_sdk_secretsmanager::Client::from_conf(
            aws_sdk_secretsmanager::config::Builder::from(session.sdk())
                .endpoint_url(self.endpoint())
                .build(),
        );
        let req = sm.create_secret().name(name).secret_string(value).send();
        session
            .call(&Cancel::new(), "CreateSecret", req)
            .map(|o| o.version_id().unwrap_or_default().to_owned())
            .map_err(|e| e.to_string())
    }

    /// Import `public_line` (an OpenSSH public key) as key pair `name`.
    pub fn import_key_pair(
        &self,
        region: &str,
        name: &str,
        public_line: &str,
    ) -> Result<(), String> {
        let ec2 = self.ec2(region)?;
        ec2.call(
            &Cancel::new(),
            "ImportKeyPair",
            ec2.client
                .import_key_pair()
                .key_name(name)
                .public_key_material(aws_smithy_types::Blob::new(public_line.as_bytes()))
                .send(),
        )
        .map(drop)
        .map_err(|e| e.to_string())
    }

    /// Names of AMIs owned by the account in `region`, with their ids.
    pub fn own_images(&self, region: &str) -> Result<Vec<(String, String)>, String> {
        let ec2 = self.ec2(region)?;
        let out = ec2
            .call(
                &Cancel::new(),
                "DescribeImages",
                ec2.client.describe_images().owners("self").send(),
            )
            .map_err(|e| e.to_string())?;
        Ok(out
            .images()
            .iter()
            .map(|i| {
                (
                    i.image_id().unwrap_or_default().to_owned(),
                    i.name().unwrap_or_default().to_owned(),
                )
            })
            .collect())
    }

    /// Tags of a resource, `key=value`, sorted.
    pub fn tags(&self, region: &str, id: &str) -> Result<Vec<String>, String> {
        let ec2 = self.ec2(region)?;
        let out = ec2
            .call(
                &Cancel::new(),
                "DescribeTags",
                ec2.client
                    .describe_tags()
                    .filters(Filter::builder().name("resource-id").values(id).build())
                    .send(),
            )
            .map_err(|e| e.to_string())?;
        let mut tags: Vec<String> = out
            .tags()
            .iter()
            .map(|t| {
                format!(
                    "{}={}",
                    t.key().unwrap_or_default(),
                    t.value().unwrap_or_default()
                )
            })
            .collect();
        tags.sort();
        Ok(tags)
    }

    /// Everything in `region` a build could have created.
    pub fn inventory(&self, region: &str) -> Result<Inventory, String> {
        let ec2 = self.ec2(region)?;
        let c = Cancel::new();
        let e = |e: crate::error::AwsError| e.to_string();
        let instances = ec2
            .call(
                &c,
                "DescribeInstances",
                ec2.client.describe_instances().send(),
            )
            .map_err(e)?
            .reservations()
            .iter()
            .flat_map(|r| r.instances())
            .filter(|i| i.state().and_then(|s| s.name()) != Some(&InstanceStateName::Terminated))
            .filter_map(|i| i.instance_id().map(str::to_owned))
            .collect();
        let key_pairs = ec2
            .call(
                &c,
                "DescribeKeyPairs",
                ec2.client.describe_key_pairs().send(),
            )
            .map_err(e)?
            .key_pairs()
            .iter()
            .filter_map(|k| k.key_name().map(str::to_owned))
            .collect();
        let security_groups = ec2
            .call(
                &c,
                "DescribeSecurityGroups",
                ec2.client.describe_security_groups().send(),
            )
            .map_err(e)?
            .security_groups()
            .iter()
            .filter(|g| g.group_name() != Some("default"))
            .filter_map(|g| g.group_id().map(str::to_owned))
            .collect();
        let images = self
            .own_images(region)?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let snapshots = ec2
            .call(
                &c,
                "DescribeSnapshots",
                ec2.client.describe_snapshots().owner_ids("self").send(),
            )
            .map_err(e)?
            .snapshots()
            .iter()
            .filter(|s| s.owner_id() == Some(MOTO_ACCOUNT))
            .filter_map(|s| s.snapshot_id().map(str::to_owned))
            .collect();
        let volumes = ec2
            .call(&c, "DescribeVolumes", ec2.client.describe_volumes().send())
            .map_err(e)?
            .volumes()
            .iter()
            .filter_map(|v| v.volume_id().map(str::to_owned))
            .collect();
        Ok(Inventory {
            instances,
            key_pairs,
            security_groups,
            images,
            snapshots,
            volumes,
        })
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
