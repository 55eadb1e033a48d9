//! Credentials for a registry: the template's login fields, else
//! anonymous. Bearer tokens are fetched by oci-client from the registry's
//! token service with these.

use oci_client::secrets::RegistryAuth;

pub fn from_login(username: Option<&str>, password: Option<&str>) -> RegistryAuth {
    match (username, password) {
        (Some(u), Some(p)) if !u.is_empty() => RegistryAuth::Basic(u.to_owned(), p.to_owned()),
        _ => RegistryAuth::Anonymous,
    }
}
