"""Technical prose, commands and config examples that hold no secret come through unchanged.

Each text stands for a class of false positive found in runbook text (benchmarks/redaction.py lists the runbook lines
that still change): a sentence that ends in a secret word and a colon, netrc- and fetchmail-like words in prose, names
and paths under secret keys, lookups named after a secret, a key marker in prose, filtered values, test results.
"""

from __future__ import annotations

import pytest

from faultmaven.sanitize import Sanitizer

SANITIZER = Sanitizer()

UNCHANGED = [
    "2. Generate a cicd token:\n    * `/usr/local/bin/gitlab-runner register`\n    * Copy the URL from the admin\n",
    "3. Validate the credentials in the identified secrets:\n    - Identify the `Secret` object\n      output.\n",
    "spec:\n  endpoints:\n  - bearerTokenSecret:\n      key: \"\"\n    interval: 15s\n    relabelings:\n"
    "    - sourceLabels:\n      - __meta_kubernetes_pod_node_name\n",
    "gcloud compute reset-windows-password runner-X --user=<your username>\n\nIf you lack the tool, open the server"
    " details\nand press the reset password button.\n",
    "The default login page asks for the machine name; the password field is below.\n",
    "export GOOGLE_APPLICATION_CREDENTIALS=/opt/prometheus/thanos/gcs-creds.json\n",
    "privatekey: /etc/docker/registry/middleware.storage/0/private-key\n",
    '"Key": "service/pg-ha-cluster/leader",\n',
    "- pod = elasticsearch-cdm-u1gqqbu6-2-868ddd4b45-w224d\n",
    "- key: kubernetes.io/arch\n",
    "Image pull secrets:  prometheus-k8s-dockercfg-6wl6b\nMountable secrets:   prometheus-k8s-dockercfg-6wl6b\n",
    'u = Project.find_by_full_path("a/b").uploads.find_by_secret("f7a123bb72bfa73a2d0cf9c12cab99e1")\n',
    "- SSL key value (the block started with `-----BEGIN PRIVATE KEY-----`),\n",
    '{"uri":"/validate?token=[FILTERED]","status":406}\n',
    "export GITLAB_ADMIN_API_PRIVATE_TOKEN=CHANGEME\n",
    "unencrypted_secrets = GitLab::Vault.get(node, 'encrypted_secrets')\n",
    "--- PASS: TestLogin (0.00s)\nPASS\nok  example.com/app 0.01s\n",
    "prod:\n  password: *pw\n",
]


@pytest.mark.parametrize("text", UNCHANGED, ids=lambda text: text.split("\n")[0][:40])
def test_prose_and_references_are_kept(text: str) -> None:
    assert SANITIZER.sanitize(text).text == text


@pytest.mark.parametrize(("text", "secret"), [
    ("machine api.example.com\n  login deploy\n  password N3trcPw9\n", "N3trcPw9"),
    ('poll mail.example.com protocol imap\n    user "joe" password "F3tchm4ilPw"\n', "F3tchm4ilPw"),
    ("spec:\n  - bearerTokenSecret:\n      value: Hq2Lm9Vx4Zp8Tn3Yb6\n", "Hq2Lm9Vx4Zp8Tn3Yb6"),
    ("password:\n  Bl0ckV4lu3Pw\n", "Bl0ckV4lu3Pw"),
    ('AWS_MWS_KEY = "amzn.mws.c1dg4haz-6xd6-4gqi-vna2-ed3whf71x9k6"\n', "c1dg4haz-6xd6-4gqi-vna2-ed3whf71x9k6"),
    ("postgresql://orders:changeit@db.prod.internal:5432/orders\n", "changeit"),
    ('const API_KEY: &str = "Hq2Lm9Vx4Zp8Tn3Yb6Jf";\n', "Hq2Lm9Vx4Zp8Tn3Yb6Jf"),
    ("static PASSWORD: &'static str = \"Ru5tSt4tic\";\n", "Ru5tSt4tic"),
    ("db:\n  password: &pw Yaml4nch0r\n", "Yaml4nch0r"),
    ('SetEnv DB_PASSWORD "Ap4cheS3tEnv"\n', "Ap4cheS3tEnv"),
    ("setenv DB_PASSWORD Csh5etEnvPw\n", "Csh5etEnvPw"),
    ("set -gx DB_PASSWORD F1shS3tPw\n", "F1shS3tPw"),
], ids=lambda value: str(value)[:30])
def test_the_same_shapes_with_a_secret_are_redacted(text: str, secret: str) -> None:
    assert secret not in SANITIZER.sanitize(text).text
