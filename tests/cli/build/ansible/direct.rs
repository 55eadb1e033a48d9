//! The `ansible` provisioner's checks before a build starts.

use crate::project;

#[test]
fn a_missing_playbook_or_ansible_is_a_located_validate_error() {
    let p = project(&[(
        "t.pkr.hcl",
        "source \"null\" \"a\" { communicator = \"none\" }\nbuild {\n  sources = [\"source.null.a\"]\n  provisioner \"ansible\" {\n    playbook_file = \"nope.yml\"\n    command       = \"/nonexistent/ansible-playbook\"\n  }\n}\n",
    )]);
    let r = crate::kiln(p.path(), &["validate", "."], "");
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("playbook_file: nope.yml is invalid"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("Error running \"/nonexistent/ansible-playbook --version\""),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("pip install ansible-core"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("t.pkr.hcl:5:"), "{}", r.stderr);
}
