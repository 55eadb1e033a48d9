//! The ACPI power button, pressed through QMP.

use crate::qmp::{Qmp, QmpError};
use kiln_core::Cancel;
use std::path::Path;
use std::time::Duration;

/// Press the power button once. The guest's reaction is awaited by the
/// caller (qemu exits when the guest powers off).
pub fn acpi_powerdown(socket: &Path, cancel: &Cancel) -> Result<(), QmpError> {
    let mut qmp = Qmp::connect(socket, Duration::from_secs(10), cancel)?;
    qmp.system_powerdown()
}
