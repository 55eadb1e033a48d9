//! The runtime part of an image config, in sorted collections so it
//! serialises the same way every time, with conversions from and to
//! oci-spec's `Config`.

use oci_spec::image::Config;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunConfig {
    pub user: Option<String>,
    pub env: Vec<String>,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub working_dir: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub exposed_ports: BTreeSet<String>,
    pub volumes: BTreeSet<String>,
    pub stop_signal: Option<String>,
}

impl RunConfig {
    pub fn from_oci(c: Option<&Config>) -> RunConfig {
        let Some(c) = c else {
            return RunConfig::default();
        };
        RunConfig {
            user: c.user().clone(),
            env: c.env().clone().unwrap_or_default(),
            entrypoint: c.entrypoint().clone(),
            cmd: c.cmd().clone(),
            working_dir: c.working_dir().clone(),
            labels: c.labels().clone().unwrap_or_default().into_iter().collect(),
            exposed_ports: c
                .exposed_ports()
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect(),
            volumes: c
                .volumes()
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect(),
            stop_signal: c.stop_signal().clone(),
        }
    }

    pub fn to_oci(&self) -> Config {
        let mut c = Config::default();
        c.set_user(self.user.clone().filter(|u| !u.is_empty()));
        c.set_env((!self.env.is_empty()).then(|| self.env.clone()));
        c.set_entrypoint(self.entrypoint.clone());
        c.set_cmd(self.cmd.clone());
        c.set_working_dir(self.working_dir.clone().filter(|w| !w.is_empty()));
        c.set_labels((!self.labels.is_empty()).then(|| self.labels.clone().into_iter().collect()));
        c.set_exposed_ports(
            (!self.exposed_ports.is_empty()).then(|| self.exposed_ports.iter().cloned().collect()),
        );
        c.set_volumes((!self.volumes.is_empty()).then(|| self.volumes.iter().cloned().collect()));
        c.set_stop_signal(self.stop_signal.clone());
        c
    }

    /// Set `KEY=VALUE`, replacing an earlier value of `KEY` in place.
    pub fn set_env(&mut self, key: &str, value: &str) {
        let entry = format!("{key}={value}");
        match self
            .env
            .iter_mut()
            .find(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k) == key)
        {
            Some(e) => *e = entry,
            None => self.env.push(entry),
        }
    }

    /// `80` → `80/tcp`, as Docker records ports.
    pub fn expose(&mut self, port: &str) -> Result<(), String> {
        let (num, proto) = port.split_once('/').unwrap_or((port, "tcp"));
        let valid_num = !num.is_empty()
            && num.split('-').all(|n| n.parse::<u16>().is_ok())
            && num.split('-').count() <= 2;
        if !valid_num || !matches!(proto, "tcp" | "udp" | "sctp") {
            return Err(format!(
                "invalid port {port:?}: expected PORT[/tcp|/udp|/sctp]"
            ));
        }
        self.exposed_ports.insert(format!("{num}/{proto}"));
        Ok(())
    }
}
