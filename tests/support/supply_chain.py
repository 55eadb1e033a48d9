"""Independent checks of kiln's supply-chain files, with other people's
libraries: securesystemslib (DSSE), in-toto-attestation (Statement and
SLSA provenance schemas), cryptography (ECDSA), PyNaCl + hashlib.scrypt
(cosign's encrypted key format). Pushed images' signatures are checked
by skopeo itself (tests/cli/build/supply_chain.rs).

Run with the venv scripts/setup.sh makes (KILN_SBOM_VENV). Prints what it
checked; exits 1 with the reason when a check fails.
"""

import base64
import hashlib
import json
import sys
import urllib.request

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def fail(why):
    print(f"REJECTED: {why}")
    sys.exit(1)


def load_pub(path):
    with open(path, "rb") as f:
        return serialization.load_pem_public_key(f.read())


def keyid(pub):
    der = pub.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def ecdsa_ok(pub, sig, data):
    try:
        pub.verify(sig, data, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def check_envelope(env_dict, pub, want_sha256, predicate_type=None):
    """DSSE through securesystemslib, the statement through
    in-toto-attestation; returns the statement."""
    from google.protobuf import json_format
    from in_toto_attestation.v1 import statement_pb2
    from in_toto_attestation.v1.statement import Statement
    from securesystemslib.dsse import Envelope
    from securesystemslib.signer import SSlibKey

    key = SSlibKey.from_crypto(pub, keyid=keyid(pub), scheme="ecdsa-sha2-nistp256")
    env = Envelope.from_dict(env_dict)
    try:
        env.verify([key], 1)
    except Exception as e:  # securesystemslib's VerificationError
        fail(f"DSSE signature: {e}")
    if env.payload_type != "application/vnd.in-toto+json":
        fail(f"payload type {env.payload_type}")
    doc = json.loads(env.payload)
    pb = json_format.ParseDict(doc, statement_pb2.Statement())
    Statement.copy_from_pb(pb).validate()
    if predicate_type and doc["predicateType"] != predicate_type:
        fail(f"predicate type {doc['predicateType']}, not {predicate_type}")
    if doc["predicateType"] == "https://slsa.dev/provenance/v1":
        from in_toto_attestation.predicates.provenance.v1 import provenance_pb2

        # Unknown fields are an error: the predicate is SLSA's shape.
        json_format.ParseDict(doc["predicate"], provenance_pb2.Provenance())
    digests = [s["digest"].get("sha256") for s in doc["subject"]]
    if want_sha256 not in digests:
        fail(f"subject {digests} is not sha256:{want_sha256}")
    return doc


def cmd_dsse(path, pub_path, want_sha256):
    with open(path) as f:
        env = json.loads(f.readline())
    doc = check_envelope(env, load_pub(pub_path), want_sha256)
    print(f"ok: {doc['predicateType']} about sha256:{want_sha256}")


def cmd_cosign_key(key_path, pub_path, password):
    """Decrypt cosign's key file as go-tuf's `encrypted` package does."""
    import nacl.secret

    with open(key_path) as f:
        lines = f.read().strip().splitlines()
    if lines[0] not in (
        "-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----",
        "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----",
    ):
        fail(f"PEM label {lines[0]}")
    sealed = json.loads(base64.b64decode("".join(lines[1:-1])))
    kdf, cipher = sealed["kdf"], sealed["cipher"]
    if kdf["name"] != "scrypt" or cipher["name"] != "nacl/secretbox":
        fail(f"kdf {kdf['name']} cipher {cipher['name']}")
    p = kdf["params"]
    key = hashlib.scrypt(
        password.encode(),
        salt=base64.b64decode(kdf["salt"]),
        n=p["N"],
        r=p["r"],
        p=p["p"],
        dklen=32,
        maxmem=64 * 1024 * 1024,
    )
    der = nacl.secret.SecretBox(key).decrypt(
        base64.b64decode(sealed["ciphertext"]), base64.b64decode(cipher["nonce"])
    )
    private = serialization.load_der_private_key(der, password=None)
    if not isinstance(private.curve, ec.SECP256R1):
        fail(f"curve {private.curve.name}")
    mine = private.public_key().public_numbers()
    if mine != load_pub(pub_path).public_numbers():
        fail("the private key is not the public key's")
    print("ok: cosign key decrypts and matches the public key")


def cmd_blob_sig(digest_hex, sig_path, pub_path):
    """cosign sign-blob's signature: ECDSA over the blob's sha256."""
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    with open(sig_path) as f:
        sig = base64.b64decode(f.read().strip())
    try:
        load_pub(pub_path).verify(
            sig, bytes.fromhex(digest_hex), ec.ECDSA(Prehashed(hashes.SHA256()))
        )
    except InvalidSignature:
        fail("the signature does not verify")
    print("ok: signature of sha256:" + digest_hex)


def http_get(url, accept=None):
    req = urllib.request.Request(url)
    if accept:
        req.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(req) as r:
            return r.read(), r.headers
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None, None
        raise


MANIFEST = "application/vnd.oci.image.manifest.v1+json"
INDEX = "application/vnd.oci.image.index.v1+json"


def manifest_digest(registry, repo, tag):
    body, _ = http_get(f"http://{registry}/v2/{repo}/manifests/{tag}", MANIFEST)
    if body is None:
        fail(f"no image {registry}/{repo}:{tag}")
    return "sha256:" + hashlib.sha256(body).hexdigest()


def cmd_attestations(registry, repo, tag, pub_path):
    """The referrers (tag schema) of the image: each attestation verifies
    and is about the image. Prints the predicate types."""
    pub = load_pub(pub_path)
    digest = manifest_digest(registry, repo, tag)
    body, _ = http_get(
        f"http://{registry}/v2/{repo}/manifests/{digest.replace(':', '-')}", INDEX
    )
    if body is None:
        fail("no referrers index")
    types = []
    for m in json.loads(body)["manifests"]:
        raw, _ = http_get(f"http://{registry}/v2/{repo}/manifests/{m['digest']}", MANIFEST)
        man = json.loads(raw)
        if man["subject"]["digest"] != digest:
            fail(f"referrer {m['digest']} has subject {man['subject']['digest']}")
        for layer in man["layers"]:
            blob, _ = http_get(f"http://{registry}/v2/{repo}/blobs/{layer['digest']}")
            doc = check_envelope(json.loads(blob), pub, digest.split(":", 1)[1])
            types.append(doc["predicateType"])
    print("ok: " + " ".join(sorted(types)))


COMMANDS = {
    "dsse": cmd_dsse,
    "cosign-key": cmd_cosign_key,
    "blob-sig": cmd_blob_sig,
    "attestations": cmd_attestations,
}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](*sys.argv[2:])
