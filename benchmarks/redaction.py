"""Redaction benchmark: recall/precision on public labelled data, false positives on real logs, throughput.

    .venv/bin/python benchmarks/redaction.py [--data ../shared/data]

Ground truth (fixed before any result was looked at; see each file's "about"):
- detect-secrets test_data: line labels in tests/fixtures/sanitize/detect_secrets_labels.json.
- secretlint's preset-recommend snapshots: benchmarks/data/secretlint/cases.json, the spans secretlint's authors
  record as findings (a PEM block or a key file is one span: found when any of its lines is).
- gitleaks' rule samples: benchmarks/data/gitleaks/cases.json, each true-positive text one secret, every line of a
  false-positive text a negative.
- Nosey Parker's rule examples: benchmarks/data/noseyparker/cases.json, each example of a rule in its `secret` category
  one secret, every line of a negative example a negative.
- whispers' test fixtures: benchmarks/data/whispers/cases.json, each finding its tests assert one secret (findings of
  non-secret rules such as comments and card numbers left out: their lines are blanked, neither secret nor negative),
  every other line a negative.
- CredSweeper's test samples: benchmarks/data/credsweeper/cases.json, each finding of the default run its tests assert
  one secret (lines only its no-ML or documentation-mode runs report are left out: blanked, neither secret nor
  negative), every other line a negative.
- per-format cases: tests/fixtures/sanitize/formats.json, written from each format's public documentation; a line is
  a secret line when it holds one of the case's values (the lines of a PEM block holding one, BEGIN and END lines
  included, are one secret), every other line is a negative.
- client configs, dotfiles and histories: tests/fixtures/sanitize/client_configs.json and client_configs_2.json,
  per-format cases of the same shape, written from the formats' documentation and committed before any sanitizer ran
  on them.
- Loghub 2k (8 systems, 16,000 real lines, no secrets): every changed line is a false positive, except IP addresses,
  which are real public addresses and redacted on purpose (reported separately).
A changed line is predicted secret unless personal-data placeholders (e-mail, IP, phone, ...) are all it holds; those
count only for the personal-data class.
The per-format cases are also counted by value: each value a case lists must be gone from the whole output, so a
second value leaking from a line that another change touched shows there, not in the line figures.

Held-out figures (leave one source out): each source is scored by a rule set that was never developed on it, taken
from git by commit (FROZEN) and run in a subprocess, so every figure comes from this run. The rules of SECRETLINT_COMMIT
had never seen secretlint; the rules of GITLEAKS_COMMIT (main's HEAD when gitleaks' samples became a development set)
had never been tuned on gitleaks nor seen Nosey Parker's examples, brought in as the new held-out source; the rules of
NP_BLIND_COMMIT were developed on the other sources only (Nosey Parker's examples and misses not printed then; its
rule file names were seen); its misses were first read at NP_SEEN_COMMIT, a development set since. The rules of
WHISPERS_COMMIT (main's HEAD when whispers' fixtures were brought in) had never
seen them: whispers' loader and labels were written and committed before any sanitizer ran on them. Likewise the
rules of CREDSWEEPER_COMMIT for CredSweeper's samples, and of each CLIENT_BATCHES commit for its batch of
client-config cases. No rule was ever changed for detect-secrets' test_data.
The self-generated corpus is a regression test only (tests/unit/test_sanitize_regression.py), never a figure here.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from faultmaven.sanitize import Sanitizer
from faultmaven.sanitize.formats import FORMAT_RULES
from faultmaven.sanitize.rules import BUILTIN_RULES

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "fixtures" / "sanitize" / "detect_secrets_labels.json"
RESULT = ROOT / "benchmarks" / "results" / "redaction.md"
PLACEHOLDER = re.compile(r"\{\{REDACTED:([a-z_]+?)(?:_\d+)?\}\}")
FORMATS = ROOT / "tests" / "fixtures" / "sanitize" / "formats.json"
SECRETLINT = ROOT / "benchmarks" / "data" / "secretlint" / "cases.json"
GITLEAKS = ROOT / "benchmarks" / "data" / "gitleaks" / "cases.json"
NOSEYPARKER = ROOT / "benchmarks" / "data" / "noseyparker" / "cases.json"
WHISPERS = ROOT / "benchmarks" / "data" / "whispers" / "cases.json"
CREDSWEEPER = ROOT / "benchmarks" / "data" / "credsweeper" / "cases.json"
PII_CLASS = "personal_data"
DS_CLASS = "detect-secrets test_data (config and code files)"
SL_CLASS = "secretlint preset-recommend snapshots (provider tokens, URLs, keys)"
GL_CLASS = "gitleaks rule samples (true and false positives of 52 rules)"
NP_CLASS = "Nosey Parker rule examples (secret-category examples and negatives of 189 rules)"
WH_CLASS = "whispers test fixtures (57 config, code and dotfiles, findings its tests assert)"
CS_CLASS = "CredSweeper test samples (181 config, code, log and document files, findings its tests assert)"
# The last commit before secretlint's snapshots were looked at: its rules are the held-out scorer for them.
SECRETLINT_COMMIT = "1f52b43"
# main's HEAD when gitleaks' samples became a development set and Nosey Parker's examples were brought in unseen: its
# rules are the held-out scorer for both.
GITLEAKS_COMMIT = "4e608d8"
# The last rules developed on the other sources only. Nosey Parker's rule file names (its provider list) had been seen
# when its loader was written, never its examples nor its misses; the rules added after this commit (psexec, Kerberos
# hashes, Salesforce, StackHawk) were picked from that list, so its figure with the current rules is not clean.
NP_BLIND_COMMIT = "7caa0ec"
# Nosey Parker's misses and false positives were first printed and read at this commit (benchmarks/notes/
# redaction-miss-classes.md): its figure with later rules is a development figure.
NP_SEEN_COMMIT = "4c2c69a"
# main's HEAD when whispers' fixtures were brought in: its rules had never seen them, and score them held out.
WHISPERS_COMMIT = "ebc7090"
# main's HEAD when CredSweeper's samples were brought in (loader and labels committed in ffedbbd before any sanitizer
# ran on them): its rules had never seen them, and score them held out.
CREDSWEEPER_COMMIT = "0d78d5d"
# Per-format cases written from public documentation in batches, each committed before any sanitizer ran on it:
# (file, class, main's HEAD when it was written: the rules that score it held out, commit that added it).


def _batch(suffix: str, topic: str, commit: str, added: str,
           source: str = "the formats' documentation") -> tuple[Path, str, str, str]:
    """A batch's entry, its class named with the number of cases its file holds."""
    path = FORMATS.with_name(f"client_configs{suffix}.json")
    cases = len(json.loads(path.read_text())["cases"])
    return path, f"{topic} ({cases} cases written from {source})", commit, added


CLIENT_BATCHES = (
    _batch("", "client configs, dotfiles and histories", "6b9311b", "356ed59"),
    _batch("_2", "client code, CMS configs, dumps and device configs", "bc1aa8d", "bae3c50"),
    _batch("_3", "password files, keys, master keys, setters, pipelines and service configs", "120ed16", "cd5f09b"),
    _batch("_4", "pasted troubleshooting output: inspect and describe dumps, traces, access logs, protocol transcripts",
           "452999f", "7d0368c"),
    _batch("_5", "developer tools' and cloud CLIs' credential files, CI and self-hosted app configs", "3924494",
           "e6fffe8"),
    _batch("_6", "infrastructure as code, observability agents, proxies and database servers", "eacd591", "7000193"),
    _batch("_7", "Windows and enterprise configs, password and user-table exports, mail and VPN clients", "1a16f5b",
           "7f2d123"),
    _batch("_8", "configuration idioms and constants across programming languages", "530d1e3", "cd1dd3e",
           source="the languages' and frameworks' documentation"),
    _batch("_9", "data platform configs", "fd45405", "78b0ecc", source="the tools' documentation"),
    _batch("_10", "self-hosted web applications' server configs: forums, wikis, shops, forges, monitoring", "695c438",
           "35b7cb6", source="the applications' documentation"),
    _batch("_11", "database dumps with user tables and server-side authentication files", "695c438", "dfad672"),
    _batch("_12", "desktop and home-server apps, IoT and Wi-Fi, game servers, backup jobs, shell and REPL histories",
           "695c438", "757fa56", source="the tools' documentation"),
    _batch("_13", "identity providers and auth proxies, messaging brokers, secrets and mesh agents, VPN keys",
           "e22335b", "13092b2", source="the tools' documentation"),
    _batch("_14", "troubleshooting output pasted into a case, second round: secret stores, Kubernetes, Terraform, "
           "process environments, config listings, cloud CLIs, CI logs, result tables", "63e6cfe", "85996eb",
           source="the tools' documentation"),
    _batch("_15", "mobile and front-end app builds, SaaS SDK settings in web apps", "f52ff04", "90799ec",
           source="the tools' documentation"),
    _batch("_16", "network devices and firewalls", "283c2ef", "64012f9", source="the vendors' documentation"),
    _batch("_17", "HTTP captures pasted while debugging: HAR, copied cURL, verbose clients, proxies, OAuth, SAML",
           "9b50b33", "ea42073"),
    _batch("_18", "developer and cloud tools' dotfiles, second round", "73a9e4b", "24e2ef9",
           source="the tools' documentation"),
    _batch("_19", "application and platform logs that leak secrets, and logs already masked", "cdd2b2e", "09d65ab",
           source="the tools' documentation and log formats"),
    _batch("_20", "machine-learning and LLM tooling, notebooks included", "9606494", "eb2c6fc",
           source="the tools' documentation"),
    _batch("_21", "provisioning and unattended installs, Java/.NET application servers, container registries and image "
           "build tools", "4a26300", "0c26a1b", source="the tools' documentation"),
    _batch("_22", "legacy desktop clients' stored credentials: mail fetchers, IRC and XMPP, FTP clients and editor "
           "sync plugins, VNC and terminal clients, database GUIs, key files", "62532ca", "32f1380"),
    _batch("_23", "web hosting and deployment: hosting control panels, IDE deployment settings, PHP CMS and shop "
           "installs", "4a26300", "922b90e", source="the tools' documentation"),
    _batch("_24", "application frameworks' configuration files as developers commit them, third round", "5a1f672",
           "00fde6f", source="the tools' documentation"),
    _batch("_25", "alerting, on-call and observability pipelines", "f2a85bf", "721411b",
           source="the tools' documentation"),
    _batch("_26", "database drivers' and middleware connection settings", "b0b1d63", "4f77a81",
           source="the tools' documentation"),
    _batch("_27", "CI/CD, GitOps and infrastructure-as-code secrets, second round", "b0b1d63", "7786db0",
           source="the tools' documentation"),
    _batch("_28", "OS credential stores and secret-manager CLIs, as their output is pasted into a ticket", "515487a",
           "726055a", source="the tools' documentation"),
    _batch("_29", "package managers' and build tools' registry credentials, second round", "afb59bc", "c297922",
           source="the tools' documentation"),
    _batch("_30", "mail servers and mail platforms (server side)", "afb59bc", "73ce0e4",
           source="the tools' documentation"),
    _batch("_31", "self-hosted home-lab and automation apps, second round", "afb59bc", "b09776a",
           source="the tools' documentation"),
    _batch("_32", "Windows server roles and Microsoft enterprise software", "18b8f04", "736c791",
           source="the tools' documentation"),
    _batch("_33", "firewalls, routers and Wi-Fi appliances, second round", "18b8f04", "3925925",
           source="the tools' documentation"),
    _batch("_34", "data-platform operations, second round", "18b8f04", "5de76b5", source="the tools' documentation"),
    _batch("_35", "chat, federation and community platforms' server configs", "d429e87", "2000ff7",
           source="the tools' documentation"),
    _batch("_36", "credentials passed to client libraries in scripts, second round", "d429e87", "e096322",
           source="the tools' documentation"),
    _batch("_37", "cloud identity caches and token outputs, third round", "d429e87", "66acaea",
           source="the tools' documentation"),
    _batch("_38", "blockchain nodes, wallets and dapp tooling", "3b236f2", "a34765c",
           source="the tools' documentation"),
    _batch("_39", "terminal recordings and traced shells", "3b236f2", "76c8dc6", source="the tools' documentation"),
    _batch("_40", "SaaS integrations in application configs: ticketing, error tracking, analytics, CRM", "3b236f2",
           "2551792", source="the tools' documentation"),
    _batch("_41", "research computing and HPC clusters", "849befe", "3e4a188", source="the tools' documentation"),
    _batch("_42", "payment gateways and commerce integrations", "849befe", "6d84094",
           source="the tools' documentation"),
    _batch("_43", "test automation, QA clouds and code-quality services", "849befe", "376a0b8",
           source="the tools' documentation"),
    _batch("_44", "VoIP, telephony, conferencing and media streaming servers", "281c9f9", "bc20af4",
           source="the tools' documentation"),
    _batch("_45", "enterprise integration platforms, ETL and data movement tools", "281c9f9", "c11884f",
           source="the tools' documentation"),
    _batch("_46", "Linux and BSD system administration files, third round", "281c9f9", "c5de745",
           source="the tools' documentation"),
    _batch("_47", "security tooling: scanners, threat intelligence and SOC platforms", "281c9f9", "ace8d09",
           source="the tools' documentation"),
    _batch("_48", "remote access, endpoint management and BI/analytics clients", "9d2af73", "d4dcbdc",
           source="the tools' documentation"),
    _batch("_49", "certificates, DNS automation and Kubernetes operators' credentials", "de26f6a", "0d529eb",
           source="the tools' documentation"),
    _batch("_50", "generic application secrets in uncommon serializations", "de26f6a", "35b1410",
           source="the tools' documentation"),
    _batch("_51", "business applications: ERP, healthcare, education and e-learning servers", "b443a1d", "42551db",
           source="the tools' documentation"),
    _batch("_52", "backend-as-a-service and headless CMS platforms", "b443a1d", "3a1657f",
           source="the tools' documentation"),
    _batch("_53", "AI coding assistants, LLM gateways and agent frameworks", "8bbc378", "f0878be",
           source="the tools' documentation"),
    _batch("_54", "storage arrays, NAS and enterprise backup software", "8bbc378", "60fda35",
           source="the tools' documentation"),
    _batch("_55", "chat bots, webhooks and notification integrations", "8bbc378", "aed9b4d",
           source="the tools' documentation"),
    _batch("_56", "network automation and NetOps tooling", "7c97a97", "9cfd6c8",
           source="the tools' documentation"),
    _batch("_57", "code signing and release publishing for desktop, mobile and extensions", "7c97a97", "22d9696",
           source="the tools' documentation"),
    _batch("_58", "mainframe, SAP and legacy enterprise systems", "7c97a97", "8adc009",
           source="the tools' documentation"),
    _batch("_59", "industrial and cloud IoT platforms and device fleets", "3000107", "7954b26",
           source="the tools' documentation"),
    _batch("_60", "CDN, edge and serverless hosting platforms", "3000107", "2a6a6e1",
           source="the tools' documentation"),
    _batch("_61", "transactional email, SMS and marketing automation APIs", "3000107", "dde6ee1",
           source="the tools' documentation"),
    _batch("_62", "game backends and live-ops services", "38c40e3", "d1e22c3",
           source="the tools' documentation"),
    _batch("_63", "GIS, maps and geospatial services", "38c40e3", "127a577",
           source="the tools' documentation"),
    _batch("_64", "internal developer platforms, service catalogs and delivery controllers", "38c40e3", "53d26fb",
           source="the tools' documentation"),
    _batch("_65", "feature flags, experimentation and product analytics", "42a7cfe", "628c2d2",
           source="the tools' documentation"),
    _batch("_66", "web scraping, crawlers and proxy services", "42a7cfe", "5edf3a4",
           source="the tools' documentation"),
    _batch("_67", "framework debug pages, error reports and diagnostic endpoints", "42a7cfe", "2b33eb5",
           source="the tools' documentation"),
    _batch("_68", "search engines and their clients", "f249e93", "0f6e47a",
           source="the tools' documentation"),
    _batch("_69", "localization, media processing and content-asset services", "5628113", "1def69a",
           source="the tools' documentation"),
    _batch("_70", "algorithmic trading, brokerage and market-data APIs", "b9d49e3", "9c6aca0",
           source="the tools' documentation"),
    _batch("_71", "serverless and edge databases and their connection strings", "b9d49e3", "b843e53",
           source="the tools' documentation"),
    _batch("_72", "hard-coded credentials in legacy and less common application source code", "5635500", "490f406",
           source="the tools' documentation"),
    _batch("_73", "database GUI clients and their saved connections, second round", "5635500", "1c3712a",
           source="the tools' documentation"),
    _batch("_74", "log shippers, syslog daemons and SIEM agents, second round", "5635500", "7b8372f",
           source="the tools' documentation"),
    _batch("_75", "SDK clients constructed with credentials passed positionally, across languages", "5635500",
           "a9bc43e", source="the tools' documentation"),
    _batch("_76", "infrastructure as code, third round", "fb0691a", "73cf821", source="the tools' documentation"),
    _batch("_77", "version control and code review systems beyond GitHub/GitLab", "fb0691a", "3abc9cf",
           source="the tools' documentation"),
    _batch("_78", "research data, statistics and notebook platforms", "1f459be", "3f0f450",
           source="the tools' documentation"),
    _batch("_79", "physical security, building and facility systems", "1f459be", "edea1ef",
           source="the tools' documentation"),
    _batch("_80", "commerce platforms and storefront back ends, second round", "2642b05", "6665868",
           source="the tools' documentation"),
    _batch("_81", "enterprise content management and .NET/Java CMS platforms", "2642b05", "fb1e9cb",
           source="the tools' documentation"),
    _batch("_82", "bare-metal provisioning, lifecycle management and out-of-band controllers", "6b33b4e", "bddb603",
           source="the tools' documentation"),
    _batch("_83", "enterprise mobility and Apple/Windows device management", "6b33b4e", "02ef686",
           source="the tools' documentation"),
    _batch("_84", "secrets under key names in languages other than English", "8c4109d", "632e4dd",
           source="the tools' documentation"),
    _batch("_85", "credentials shared in natural language", "8c4109d", "4486408",
           source="the tools' documentation"),
    _batch("_86", "database server logs, query logs and audit trails", "8c4109d", "83b400d",
           source="the tools' documentation"),
    _batch("_87", "dedicated game servers and social/community platform APIs", "8c4109d", "6be1c3a",
           source="the tools' documentation"),
    _batch("_88", "cloud storage clients, file sync and backup tools, second round", "8c4109d", "a284a4f",
           source="the tools' documentation"),
    _batch("_89", "telecom core networks, AAA and messaging gateways", "b1632f5", "5555ee0",
           source="the tools' documentation"),
    _batch("_90", "password manager exports and secret-store dumps", "b1632f5", "1eaf6fd",
           source="the tools' documentation"),
    _batch("_91", "objects printed by debuggers, REPLs and logging of in-memory values", "b1632f5", "19a91d4",
           source="the tools' documentation"),
    _batch("_92", "message brokers and streaming platforms, second round", "b1632f5", "e0677ab",
           source="the tools' documentation"),
    _batch("_93", "CI/CD servers and build agents, third round", "b1632f5", "3aee259",
           source="the tools' documentation"),
    _batch("_94", "embedded, firmware and maker-board development", "8043c7c", "2798ed1",
           source="the tools' documentation"),
    _batch("_95", "Windows administration scripts, scheduled tasks and service accounts, second round", "8043c7c",
           "1ead8ab", source="the tools' documentation"),
    _batch("_96", "observability SaaS agents and SDKs, second round", "8043c7c", "ffce7b6",
           source="the tools' documentation"),
    _batch("_97", "finance, accounting, HR and payroll SaaS integrations", "25254fa", "fd37eaf",
           source="the tools' documentation"),
    _batch("_98", "printers, multifunction devices and print management", "25254fa", "71be01c",
           source="the tools' documentation"),
    _batch("_99", "container image build and registry credentials, second round", "25254fa", "48532e2",
           source="the tools' documentation"),
    _batch("_100", "virtualization and private-cloud management", "a2c5a45", "2a4e086",
           source="the tools' documentation"),
    _batch("_101", "API clients and load-testing tools", "a2c5a45", "84fcc95",
           source="the tools' documentation"),
    _batch("_102", "shell and interactive client history files", "a2c5a45", "ee378aa",
           source="the tools' documentation"),
    _batch("_103", "Java and enterprise application servers, second round", "a2c5a45", "3a628a3",
           source="the tools' documentation"),
    _batch("_104", "API gateways and service meshes", "90dc2c3", "4dfdc03",
           source="the tools' documentation"),
    _batch("_105", "Kubernetes distributions and cluster bootstrap tools", "90dc2c3", "17e42ba",
           source="the tools' documentation"),
    # Batch 106's cases were committed alone (a8cae71) on a branch lost when its session was cut off; they reached
    # main with their fixes in 7caca69. The held-out figure still comes from the rules of 90dc2c3, run here.
    _batch("_106", "helpdesk, customer support and CRM platforms", "90dc2c3", "7caca69",
           source="the tools' documentation"),
    _batch("_107", "low-code, workflow automation and internal-tool builders", "a728524", "2272bdb",
           source="the tools' documentation"),
    _batch("_108", "distributed caches, data grids and coordination services", "a728524", "e65cc05",
           source="the tools' documentation"),
    _batch("_109", "mobile push, realtime and in-app messaging services", "a728524", "c4cdde7",
           source="the tools' documentation"),
    _batch("_110", "configuration management and runbook automation", "01ed69e", "4d0fc35",
           source="the tools' documentation"),
    _batch("_111", "self-hosted observability backends: storage, federation and scrape credentials", "01ed69e",
           "9c357ee", source="the tools' documentation"),
    _batch("_112", "database backup, replication and schema-migration tools", "01ed69e", "6e02546",
           source="the tools' documentation"),
    _batch("_113", "web analytics, event collection and customer-data platforms", "01ed69e", "756e87c",
           source="the tools' documentation"),
    _batch("_114", "directory services and Kerberos administration", "caaa935", "f2edf7e",
           source="the tools' documentation"),
    _batch("_115", "remote development environments and cloud IDEs", "caaa935", "2cc492f",
           source="the tools' documentation"),
    _batch("_116", "privileged access management, bastions and session brokers", "caaa935", "c9fdb9c",
           source="the tools' documentation"),
    _batch("_117", "marketplaces, shipping and logistics APIs", "75406ad", "efb15e1",
           source="the tools' documentation"),
    _batch("_118", "graph, time-series and multi-model databases", "75406ad", "b540eb8",
           source="the tools' documentation"),
    _batch("_119", "self-hosted PaaS and container platforms beyond Kubernetes", "e2cdfb9", "d4552ed",
           source="the tools' documentation"),
    _batch("_120", "VPN and zero-trust network access clients and servers, second round", "e2cdfb9", "365caa6",
           source="the tools' documentation"),
    _batch("_121", "speech, vision and generative media AI APIs", "e2cdfb9", "41f1a55",
           source="the tools' documentation"),
    _batch("_122", "e-signature, document generation and PDF/OCR processing APIs", "67cabf6", "92b2f8f",
           source="the tools' documentation"),
    _batch("_123", "identity verification, KYC, fraud detection and background-check APIs", "67cabf6", "acdd591",
           source="the tools' documentation"),
    _batch("_124", "project management, calendars and work-management SaaS integrations", "67cabf6", "fdc92fd",
           source="the tools' documentation"),
    _batch("_125", "vector databases, embedding stores and RAG pipeline services", "a7c02b6", "e9bf740",
           source="the tools' documentation"),
    _batch("_126", "social media, advertising and marketing platform APIs", "a7c02b6", "ac7e8f1",
           source="the tools' documentation"),
    _batch("_127", "healthcare interoperability: FHIR servers, HL7 interfaces and EHR APIs", "a7c02b6", "cf63e72",
           source="the tools' documentation"),
    _batch("_128", "travel, ticketing, events and booking APIs", "a7c02b6", "d71f8b7",
           source="the tools' documentation"),
    _batch("_129", "e-mail groupware and collaboration suites, second round", "33940f7", "dc1c2c8",
           source="the tools' documentation"),
    _batch("_130", "columnar and OLAP analytics databases and query engines", "33940f7", "a216e77",
           source="the tools' documentation"),
    _batch("_131", "software supply-chain security: dependency scanning, SBOM, signing and vulnerability scanners",
           "206cf60", "b699937", source="the tools' documentation"),
    _batch("_132", "MLOps: model serving, experiment tracking, feature stores and labelling tools", "206cf60",
           "dfab2e4", source="the tools' documentation"),
    _batch("_133", "e-learning platforms and learning management systems, second round", "dd07120", "f350687",
           source="the tools' documentation"),
    _batch("_134", "data catalogs, governance and BI semantic layers", "dd07120", "2fe6989",
           source="the tools' documentation"),
    _batch("_135", "fleet telematics, connected vehicles and mobility APIs", "140e054", "e8eed50",
           source="the tools' documentation"),
    _batch("_136", "robotic process automation and desktop automation tools", "140e054", "6ae04ae",
           source="the tools' documentation"),
    _batch("_137", "surveys, online forms and scheduling SaaS", "140e054", "6aaf654",
           source="the tools' documentation"),
    _batch("_138", "consumer smart home and home automation cloud APIs", "140e054", "725e6c5",
           source="the tools' documentation"),
    _batch("_139", "customer identity and authentication SaaS, second round", "140e054", "495a07c",
           source="the tools' documentation"),
    _batch("_140", "public data APIs: weather, news, financial data, geocoding and government open data", "140e054",
           "e5907a5", source="the tools' documentation"),
    _batch("_141", "life-sciences and bioinformatics platforms", "34e53e4", "0c33304",
           source="the tools' documentation"),
    _batch("_142", "cloud security posture, EDR and runtime security platforms", "34e53e4", "8728b55",
           source="the tools' documentation"),
    _batch("_143", "domain registrars and DNS hosting APIs, second round", "34e53e4", "7b24f55",
           source="the tools' documentation"),
    _batch("_144", "legal, contract and document management SaaS", "34e53e4", "3644f68",
           source="the tools' documentation"),
    _batch("_145", "video conferencing and meeting platform APIs", "34e53e4", "5ee8378",
           source="the tools' documentation"),
    _batch("_146", "uptime monitoring, synthetic checks and status pages", "083c1b8", "758d17a",
           source="the tools' documentation"),
    _batch("_147", "email testing sandboxes, SMTP relays and inbound email processing", "7c8f95d", "8ea2257",
           source="the tools' documentation"),
    _batch("_148", "home energy, solar inverters and EV charger monitoring APIs", "7c8f95d", "a6308e7",
           source="the tools' documentation"),
    _batch("_149", "fitness, wearables and health-tracking APIs", "ac8f2ba", "a2c646e",
           source="the tools' documentation"),
    _batch("_150", "recruiting, applicant tracking and HR onboarding APIs", "ac8f2ba", "bec93ec",
           source="the tools' documentation"),
    _batch("_151", "music, audio and podcast platform APIs", "ac8f2ba", "a70e524",
           source="the tools' documentation"),
    _batch("_152", "research literature, citation managers and library systems", "ac8f2ba", "3628630",
           source="the tools' documentation"),
    _batch("_153", "subscription billing, tax calculation and invoicing APIs", "ac8f2ba", "846ab59",
           source="the tools' documentation"),
    _batch("_154", "link management, URL shorteners, QR codes and customer review platforms", "ac8f2ba", "d4bfd98",
           source="the tools' documentation"),
    _batch("_155", "nonprofit fundraising, donations and membership management", "ac8f2ba", "a815a42",
           source="the tools' documentation"),
    _batch("_156", "restaurant POS, food ordering and hospitality management systems", "3bf85e5", "8fe0576",
           source="the tools' documentation"),
    _batch("_157", "real estate, property management and listing data APIs", "379a44b", "09cbca7",
           source="the tools' documentation"),
    _batch("_158", "SEO, web crawling audits and search console tooling", "379a44b", "f643c1b",
           source="the tools' documentation"),
    _batch("_159", "affiliate networks, coupons and partner marketing platforms", "379a44b", "9b276f5",
           source="the tools' documentation"),
    _batch("_160", "aviation, maritime and transport-tracking data APIs", "3bf85e5", "7b60cff",
           source="the tools' documentation"),
    _batch("_161", "video hosting, live streaming and stock media APIs", "379a44b", "450db3a",
           source="the tools' documentation"),
    _batch("_162", "agriculture, farm management and environmental sensor platforms", "379a44b", "0e78662",
           source="the tools' documentation"),
)
FROZEN = (SECRETLINT_COMMIT, GITLEAKS_COMMIT, NP_BLIND_COMMIT, WHISPERS_COMMIT, CREDSWEEPER_COMMIT, NP_SEEN_COMMIT,
          *(commit for _, _, commit, _ in CLIENT_BATCHES))
# The cheapest scan a sanitizer could do: one case-insensitive regex pass for a few key words, the same text, the same
# run. Throughput is reported as a ratio to it so a slower or faster machine does not move the target.
BASELINE = re.compile(r"(?i)password|secret|token|api_key")


# --- detect-secrets as the oracle ------------------------------------------------------------------------------------

def detect_secrets_lines(path: Path) -> set[int]:
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    with default_settings():
        collection = SecretsCollection()
        collection.scan_file(str(path))
    return {secret.line_number for _, secret in collection}


# --- measurements ----------------------------------------------------------------------------------------------------

Unit = frozenset[int]  # the line numbers of one labelled secret (one line, or a whole PEM block)
# Per labelled text: secret lines, personal-data lines, and the indexes of its listed values still in the output.
Prediction = tuple[list[int], list[int], list[int]]


class Labelled(NamedTuple):
    """One labelled text. `values` are the strings a per-format case lists as must-be-gone; the other sources are
    labelled by line only and list none."""

    cls: str
    name: str
    text: str
    units: list[Unit]
    values: tuple[str, ...] = ()


class Tally:
    """Counts for one class: secrets found (any of their lines predicted) / missed, other lines predicted."""

    def __init__(self) -> None:
        self.tp = self.fn = self.fp = 0

    def add(self, predicted: set[int], units: list[Unit]) -> None:
        found = sum(1 for unit in units if unit & predicted)
        self.tp += found
        self.fn += len(units) - found
        self.fp += len(predicted - set().union(*units))

    def __iadd__(self, other: Tally) -> Tally:
        self.tp, self.fn, self.fp = self.tp + other.tp, self.fn + other.fn, self.fp + other.fp
        return self

    @property
    def recall(self) -> float:
        return self.tp / max(1, self.tp + self.fn)

    @property
    def precision(self) -> float:
        return self.tp / max(1, self.tp + self.fp)


def predicted_lines(text: str, sanitized: str, pii_labels: frozenset[str]) -> tuple[set[int], set[int]]:
    """Changed line numbers: those changed by personal-data placeholders only, and the others (a multi-line secret
    keeps its line breaks, so its later lines change with no placeholder of their own)."""
    secret, pii = set(), set()
    before, after = text.splitlines(), sanitized.splitlines()
    # A redaction keeps its line breaks; a block that ends the text leaves its last lines empty, which splitlines
    # drops at the end.
    after += [""] * (len(before) - len(after))
    for i, (a, b) in enumerate(zip(before, after, strict=True)):
        if a != b:
            labels = set(PLACEHOLDER.findall(b))
            (pii if labels and labels <= pii_labels else secret).add(i + 1)
    return secret, pii


def labelled_sets(data: Path) -> list[Labelled]:
    """(class, name, text, labelled secrets) for every labelled file, secretlint snapshot and per-format case."""
    labels = {k: v for k, v in json.loads(LABELS.read_text())["secret_lines"].items()}
    root = data / "secrets-detect-secrets" / "test_data"
    paths = sorted(p for p in root.rglob("*") if p.is_file())
    out = [Labelled(DS_CLASS, str(p.relative_to(root)), p.read_text(encoding="utf-8", errors="replace"),
            [frozenset([n]) for n in labels.get(str(p.relative_to(root)), [])]) for p in paths]
    for snapshot in json.loads(SECRETLINT.read_text())["cases"]:
        out.append(Labelled(SL_CLASS, snapshot["snapshot"], snapshot["text"],
                    [frozenset(range(a, b + 1)) for a, b in snapshot["secret_spans"]]))
    for sample in json.loads(GITLEAKS.read_text())["cases"]:
        lines = range(1, len(sample["text"].splitlines()) + 1)
        out.append(Labelled(GL_CLASS, f"{sample['rule_file']} {sample['kind']}", sample["text"],
                    [frozenset(lines)] if sample["kind"] == "tps" else []))
    for example in json.loads(NOSEYPARKER.read_text())["cases"]:
        lines = range(1, len(example["text"].splitlines()) + 1)
        out.append(Labelled(NP_CLASS, f"{example['rule']} {example['kind']}", example["text"],
                    [frozenset(lines)] if example["kind"] == "example" else []))
    for cls, path, name in ((WH_CLASS, WHISPERS, "fixture"), (CS_CLASS, CREDSWEEPER, "sample")):
        for fixture in json.loads(path.read_text())["cases"]:
            left_out = set(fixture["left_out_lines"])
            text = "\n".join("" if n in left_out else line for n, line in enumerate(fixture["text"].splitlines(), 1))
            out.append(Labelled(cls, fixture[name], text, [frozenset(span) for span in fixture["secret_spans"]]))
    for path, cls in ((FORMATS, None), *((path, cls) for path, cls, _, _ in CLIENT_BATCHES)):
        for case in json.loads(path.read_text())["cases"]:
            out.append(Labelled(cls or case["class"], case["source"], case["text"],
                                value_units(case["text"], case["secrets"]), tuple(dict.fromkeys(case["secrets"]))))
    return out


_PEM_LINE = re.compile(r"-----(BEGIN|END) [A-Z0-9 ]+-----")


def value_units(text: str, values: list[str]) -> list[Unit]:
    """A per-format case's secrets: each line holding one of its values, except that the lines of a PEM block
    holding one make the whole block one secret, its BEGIN and END lines included (as secretlint's spans are)."""
    lines = text.splitlines()
    blocks: dict[int, Unit] = {}
    begin = 0
    for n, line in enumerate(lines, 1):
        markers = _PEM_LINE.findall(line)
        if markers == ["BEGIN"]:
            begin = n
        elif markers == ["END"] and begin:
            blocks.update(dict.fromkeys(range(begin, n + 1), frozenset(range(begin, n + 1))))
            begin = 0
    units = [blocks.get(n, frozenset([n])) for n, line in enumerate(lines, 1)
             if any(v in line for v in values)]
    return list(dict.fromkeys(units))


def predict_all(data: Path) -> list[Prediction]:
    """The importable sanitizer's prediction for every labelled text, in order."""
    pii_labels = frozenset(rule.label for rule in (*BUILTIN_RULES, *FORMAT_RULES) if rule.kind == "pii")
    sanitizer = Sanitizer()
    out = []
    for labelled in labelled_sets(data):
        sanitized = sanitizer.sanitize(labelled.text).text
        secret, pii = predicted_lines(labelled.text, sanitized, pii_labels)
        out.append((sorted(secret), sorted(pii), [i for i, v in enumerate(labelled.values) if v in sanitized]))
    return out


def predict_with_rules_of(commit: str, data: Path, tmp: Path) -> list[Prediction]:
    """`predict_all` with the sanitizer as of `commit`, taken from git and run in a subprocess."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "layers/core/faultmaven/__init__.py",
                              "layers/core/faultmaven/sanitize"], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp / commit, filter="data")
    out = tmp / f"{commit}_predictions.json"
    env = {**os.environ, "PYTHONPATH": str(tmp / commit / "layers" / "core")}
    subprocess.run([sys.executable, __file__, "--data", str(data), "--predict-to", str(out)], check=True, env=env,
                   cwd=tmp)
    return json.loads(out.read_text())


def detect_secrets_all(sets: list[Labelled], tmp: Path) -> list[Prediction]:
    """detect-secrets' predicted lines for every labelled text (scanned as a file), in `predict_all`'s shape (it
    redacts nothing, so no value-level figure)."""
    out = []
    for i, labelled in enumerate(sets):
        path = tmp / f"case{i}.txt"
        path.write_text(labelled.text)
        out.append((sorted(detect_secrets_lines(path)), [], []))
    return out


def score_labelled(sets: list[Labelled], predictions: list[Prediction]) -> dict[str, Tally]:
    """Per class, the tally of the given predictions."""
    tallies: dict[str, Tally] = {}
    for (cls, _, _, units, _), (secret, pii, _) in zip(sets, predictions, strict=True):
        predicted = set(secret) | set(pii) if cls == PII_CLASS else set(secret)
        tallies.setdefault(cls, Tally()).add(predicted, units)
    return tallies


def total(tallies: dict[str, Tally], classes: list[str]) -> Tally:
    out = Tally()
    for cls in classes:
        out += tallies[cls]
    return out


def score_values(sets: list[Labelled], predictions: list[Prediction]) -> dict[str, tuple[int, int]]:
    """Per class of per-format cases, (values gone from the output, values listed)."""
    out: dict[str, tuple[int, int]] = {}
    for labelled, (_, _, leaked) in zip(sets, predictions, strict=True):
        if labelled.values:
            gone, listed = out.get(labelled.cls, (0, 0))
            out[labelled.cls] = gone + len(labelled.values) - len(leaked), listed + len(labelled.values)
    return out


def hidden_leaks(sets: list[Labelled], predictions: list[Prediction]) -> list[str]:
    """Values still in the output although their line counts as found (another change touched it), as `name:line`."""
    out = []
    for labelled, (secret, _, leaked) in zip(sets, predictions, strict=True):
        lines = labelled.text.splitlines()
        for i in leaked:
            value = labelled.values[i]
            numbers = [n for n, line in enumerate(lines, 1) if value in line]
            if numbers and set(numbers) <= set(secret):
                out.append(f"{labelled.name}:{numbers[0]}")
    return out


def misses(sets: list[Labelled], predictions: list[Prediction], cls: str) -> list[str]:
    """Each missed secret and each false-positive line of one class, as `name:line text` (for the report)."""
    out = []
    for (of, name, text, units, _), (secret, _, _) in zip(sets, predictions, strict=True):
        if of != cls:
            continue
        lines, predicted = text.splitlines(), set(secret)
        out += [f"missed, {name}:{min(u)} `{_short(lines[min(u) - 1])}`" for u in units if not u & predicted]
        out += [f"false positive, {name}:{n} `{_short(lines[n - 1])}`"
                for n in sorted(predicted - set().union(*units))]
    return out


def _short(line: str, width: int = 90) -> str:
    line = line.replace("`", "'").strip()
    return line if len(line) <= width else line[: width - 1] + "…"


def score_loghub(data: Path, sanitizer: Sanitizer) -> tuple[int, Counter[str], Counter[str], list[str]]:
    lines_total, fired, ip_lines = 0, Counter(), Counter()
    examples: list[str] = []
    for path in sorted((data / "loghub-2k").glob("*/*_2k.log")):
        text = path.read_text(encoding="utf-8", errors="replace")
        before, after = text.splitlines(), sanitizer.sanitize(text).text.splitlines()
        lines_total += len(before)
        for i, (a, b) in enumerate(zip(before, after, strict=True)):
            if a == b:
                continue
            labels = set(PLACEHOLDER.findall(b))
            if labels - {"ip_address"}:
                for label in labels - {"ip_address"}:
                    fired[label] += 1
                examples.append(f"{path.name}:{i + 1} {sorted(labels)}")
            else:
                ip_lines[path.parent.name] += 1
    return lines_total, fired, ip_lines, examples


# Technical prose and configuration examples with (almost) no real secrets: the runbooks of the retrieval yardstick.
RUNBOOKS = (ROOT / "benchmarks" / "data" / "runbooks-gitlab", Path("runbooks-openshift") / "alerts")
PII_LABELS = frozenset({"email", "ip_address", "phone", "ssn", "card_number", "iban", "national_id"})


def score_runbooks(data: Path, sanitizer: Sanitizer) -> tuple[int, list[str]]:
    """Lines of runbook text changed by a secret placeholder: each `file:line` with the line."""
    lines_total, changed = 0, []
    for root in (RUNBOOKS[0], data / RUNBOOKS[1]):
        for path in sorted(root.rglob("*.md")):
            text = path.read_text(encoding="utf-8", errors="replace")
            before, after = text.splitlines(), sanitizer.sanitize(text).text.splitlines()
            lines_total += len(before)
            changed += [f"{path.name}:{i + 1} `{_short(a)}`" for i, (a, b) in enumerate(zip(before, after, strict=True))
                        if a != b and set(PLACEHOLDER.findall(b)) - PII_LABELS]
    return lines_total, changed


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """CPU seconds of this process, best of `repeats` (neighbours on a shared machine only ever slow a run down)."""
    return min(_timed(fn) for _ in range(repeats))


# Short payloads as the copilot sends them: per-call overhead dominates, not scanning.
SHORT_LOG = ("2024-03-01T12:00:01.123Z ERROR api: login for jane@example.com from 10.0.0.7 failed; retry=3 "
             "status=500 db=postgres://app:S3cr3t!@db.internal:5432/app took 120ms, trace 9f3b2c1d, agent curl/8.4.0")
SHORT_PROSE = ("The deployment failed because the readiness probe timed out after 30 seconds. Check the pod events, "
               "the container logs and whether the service port matches the target port of the ingress rule today.")


def per_call_us(text: str, sanitizer: Sanitizer, calls: int = 3000) -> float:
    """CPU microseconds per `sanitize` call (a fresh case map each time), best of three batches."""
    return best_of(lambda: [sanitizer.sanitize(text) for _ in range(calls)], 3) / calls * 1e6


def _timed(fn: Callable[[], object]) -> float:
    """CPU seconds of this process: on a shared, loaded machine wall time measures the neighbours."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def _row(name: str, ours: Tally, theirs: Tally, target: str = "") -> str:
    return (f"| {name} | {ours.tp + ours.fn} | {ours.recall:.3f} | {ours.precision:.3f} ({ours.fp}) | "
            f"{theirs.recall:.3f} | {theirs.precision:.3f} ({theirs.fp}) | {target} |")


def value_rows(sets: list[Labelled], current: list[Prediction], frozen_predictions: dict[str, list[Prediction]],
               ours: dict[str, Tally], frozen: dict[str, dict[str, Tally]]) -> list[str]:
    """The value-level table: the client-config batches held out (each by its frozen rules) and every per-format case
    with the current rules, each beside the line-level figure of the same cases."""
    held_gone = held_listed = 0
    held_lines = Tally()
    for _, cls, commit, _ in CLIENT_BATCHES:
        gone, listed = score_values(sets, frozen_predictions[commit])[cls]
        held_gone, held_listed = held_gone + gone, held_listed + listed
        held_lines += frozen[commit][cls]
    now = {cls: counts for cls, counts in score_values(sets, current).items() if cls != PII_CLASS}
    now_lines = total(ours, list(now))
    now_gone, now_listed = sum(g for g, _ in now.values()), sum(n for _, n in now.values())
    return [
        "| per-format cases | values | value recall | secret lines | line recall |", "|---|---|---|---|---|",
        f"| held out: {len(CLIENT_BATCHES)} client-config batches pooled, each by rules frozen before it was seen | "
        f"{held_listed} | {held_gone / held_listed:.3f} | {held_lines.tp + held_lines.fn} | {held_lines.recall:.3f} |",
        f"| every per-format case ({len(now)} classes), current rules (development) | {now_listed} | "
        f"{now_gone / now_listed:.3f} | {now_lines.tp + now_lines.fn} | {now_lines.recall:.3f} |",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--predict-to", type=Path, help="only write the importable sanitizer's predictions (JSON)")
    args = parser.parse_args(argv)
    missing = [name for name in ("loghub-2k", "secrets-detect-secrets") if not (args.data / name).is_dir()]
    if missing:
        parser.error(f"{args.data} lacks {', '.join(missing)}: point --data at the shared data folder")
    if args.predict_to:
        args.predict_to.write_text(json.dumps(predict_all(args.data)))
        return 0
    sanitizer = Sanitizer()
    sets = labelled_sets(args.data)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        current = predict_all(args.data)
        ours, theirs = score_labelled(sets, current), score_labelled(sets, detect_secrets_all(sets, tmp))
        frozen_predictions = {commit: predict_with_rules_of(commit, args.data, tmp) for commit in FROZEN}
        frozen = {commit: score_labelled(sets, predictions) for commit, predictions in frozen_predictions.items()}
        n_lines, fired, ip_lines, examples = score_loghub(args.data, sanitizer)
        runbook_lines, runbook_changed = score_runbooks(args.data, sanitizer)
        loghub_text = "".join(p.read_text(encoding="utf-8", errors="replace")
                              for p in sorted((args.data / "loghub-2k").glob("*/*_2k.log")))
        mb = len(loghub_text.encode()) / 1e6
        ours_s = best_of(lambda: sanitizer.sanitize(loghub_text), 7)
        base_s = best_of(lambda: BASELINE.findall(loghub_text), 7)
        path = tmp / "loghub.txt"
        path.write_text(loghub_text)
        theirs_s = _timed(lambda: detect_secrets_lines(path))
        short_log_us, short_prose_us = per_call_us(SHORT_LOG, sanitizer), per_call_us(SHORT_PROSE, sanitizer)
    secret_classes = [c for c in ours if c != PII_CLASS]
    by_value = value_rows(sets, current, frozen_predictions, ours, frozen)
    per10k = len(examples) / n_lines * 10_000
    held_out = Tally()
    held_out += ours[DS_CLASS]
    held_out += frozen[SECRETLINT_COMMIT][SL_CLASS]
    held_out += frozen[GITLEAKS_COMMIT][GL_CLASS]
    held_out += frozen[GITLEAKS_COMMIT][NP_CLASS]
    held_out += frozen[WHISPERS_COMMIT][WH_CLASS]
    held_out += frozen[CREDSWEEPER_COMMIT][CS_CLASS]
    for _, cls, commit, _ in CLIENT_BATCHES:
        held_out += frozen[commit][cls]
    sources = [DS_CLASS, SL_CLASS, GL_CLASS, NP_CLASS, WH_CLASS, CS_CLASS, *(cls for _, cls, _, _ in CLIENT_BATCHES)]
    _, newest, newest_commit, _ = CLIENT_BATCHES[-1]
    header = ["| source or class | secrets | recall | precision (false-positive lines) | detect-secrets recall | "
              "detect-secrets precision (fp) | target |", "|---|---|---|---|---|---|---|"]
    headline = [
        *header,
        _row(f"**new held-out source: {newest}, rules of {newest_commit}**",
             frozen[newest_commit][newest], theirs[newest], "≥ 0.98 / ≥ 0.98"),
        _row(f"**held out, {len(sources)} sources pooled, each by rules frozen before it was seen**", held_out,
             total(theirs, sources), "≥ 0.98 / ≥ 0.98"),
        *(_row(f"{cls}, rules of {commit}", frozen[commit][cls], theirs[cls])
          for _, cls, commit, _ in CLIENT_BATCHES[:-1]),
        _row(f"{CS_CLASS}, rules of {CREDSWEEPER_COMMIT}", frozen[CREDSWEEPER_COMMIT][CS_CLASS], theirs[CS_CLASS]),
        _row(f"{WH_CLASS}, rules of {WHISPERS_COMMIT}", frozen[WHISPERS_COMMIT][WH_CLASS], theirs[WH_CLASS]),
        _row(f"{NP_CLASS}, rules of {GITLEAKS_COMMIT} (held out up to that commit)", frozen[GITLEAKS_COMMIT][NP_CLASS],
             theirs[NP_CLASS]),
        _row(f"{NP_CLASS}, rules of {NP_BLIND_COMMIT} (developed on the other sources; its examples and misses never "
             "read, its rule file names seen)", frozen[NP_BLIND_COMMIT][NP_CLASS], theirs[NP_CLASS]),
        _row(f"{NP_CLASS}, rules of {NP_SEEN_COMMIT} (the last before its misses were read; rules after "
             f"{NP_BLIND_COMMIT} picked knowing its rule file names: not clean)", frozen[NP_SEEN_COMMIT][NP_CLASS],
             theirs[NP_CLASS]),
        _row(f"{DS_CLASS}, current rules", ours[DS_CLASS], theirs[DS_CLASS]),
        _row(f"{SL_CLASS}, rules of {SECRETLINT_COMMIT}", frozen[SECRETLINT_COMMIT][SL_CLASS], theirs[SL_CLASS]),
        _row(f"{GL_CLASS}, rules of {GITLEAKS_COMMIT} (held out up to that commit)", frozen[GITLEAKS_COMMIT][GL_CLASS],
             theirs[GL_CLASS]),
        _row(f"{NP_CLASS}, rules of {SECRETLINT_COMMIT}", frozen[SECRETLINT_COMMIT][NP_CLASS], theirs[NP_CLASS]),
    ]
    rows = [
        *header,
        _row("**all secret classes**", total(ours, secret_classes), total(theirs, secret_classes)),
        _row(f"{DS_CLASS} (held out)", ours[DS_CLASS], theirs[DS_CLASS]),
        _row(f"{SL_CLASS} (development since {SECRETLINT_COMMIT})", ours[SL_CLASS], theirs[SL_CLASS]),
        _row(f"{GL_CLASS} (development since {GITLEAKS_COMMIT})", ours[GL_CLASS], theirs[GL_CLASS]),
        _row(f"{NP_CLASS} (held out up to {NP_BLIND_COMMIT}, see above; development since {NP_SEEN_COMMIT})",
             ours[NP_CLASS], theirs[NP_CLASS]),
        _row(f"{WH_CLASS} (development since {WHISPERS_COMMIT})", ours[WH_CLASS], theirs[WH_CLASS]),
        _row(f"{CS_CLASS} (development since {CREDSWEEPER_COMMIT})", ours[CS_CLASS], theirs[CS_CLASS]),
        *(_row(f"{cls} (development since {commit})", ours[cls], theirs[cls]) for _, cls, commit, _ in CLIENT_BATCHES),
        *(_row(f"{cls} (development)", ours[cls], theirs[cls]) for cls in secret_classes if cls not in sources),
        _row(f"{PII_CLASS} (not secrets; detect-secrets has no such plugin)", ours[PII_CLASS], theirs[PII_CLASS]),
    ]
    speed = [
        "| measure | value | target |", "|---|---|---|",
        f"| Loghub 2k ({n_lines:,} real lines): non-IP false-positive lines per 10,000 lines | {per10k:.2f} | ≤ 1 |",
        f"| Loghub 2k: lines with a public IP redacted (intended) | {sum(ip_lines.values()):,} | |",
        f"| runbooks (GitLab and OpenShift, {runbook_lines:,} lines of prose, commands and config examples): lines "
        f"changed by a secret placeholder per 10,000 lines (documentation examples included) | "
        f"{len(runbook_changed) / runbook_lines * 10_000:.1f} | |",
        f"| throughput on Loghub text ({mb:.1f} MB), sanitizer | {mb / ours_s:.1f} MB/s | ≥ 20 MB/s |",
        f"| baseline in the same run: one regex pass for 4 key words | {mb / base_s:.0f} MB/s | |",
        f"| sanitizer speed as a share of the baseline's | {base_s / ours_s:.2f} | |",
        f"| detect-secrets 1.5 (default plugins) on the same text | {mb / theirs_s:.2f} MB/s "
        f"(the sanitizer is {theirs_s / ours_s:.0f} times faster) | |",
        f"| per call, {len(SHORT_LOG)}-character log line (2 values to redact) | {short_log_us:.0f} µs | |",
        f"| per call, {len(SHORT_PROSE)}-character prose (nothing to redact) | {short_prose_us:.0f} µs | |",
    ]
    fired_note = ", ".join(f"{k}: {v}" for k, v in fired.most_common()) or "nothing"
    report = "\n".join([
        "# Redaction benchmark", "",
        f"`benchmarks/redaction.py`, one process, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at the end.", "",
        "## Held out: each source scored by rules never developed on it (headline)", "",
        "A secret (a labelled line, or a labelled span such as a PEM block) is found when the sanitizer changes one of "
        "its lines other than by personal-data placeholders alone (e-mail, IP, phone); a false positive is any other "
        "line so changed. Labels were fixed before results were looked at, each from the source's own labelling, "
        "and each source is scored by rules taken from git at a commit made before it was seen, in this run: "
        "Nosey Parker's rule examples (`benchmarks/data/noseyparker/`, Apache-2.0: an example of a rule in its "
        "`secret` category is one secret, a negative example's lines are negatives; brought in after commit "
        f"{GITLEAKS_COMMIT}, its examples and misses not printed nor read before {NP_SEEN_COMMIT}; its rule file names "
        "were seen when the "
        f"loader was written; the rules of {NP_BLIND_COMMIT} are the last developed on the other sources only, later "
        "ones were picked from that list of names); "
        "detect-secrets' own test_data (hand labels, `tests/fixtures/sanitize/detect_secrets_labels.json`; no rule "
        "was ever changed for it; current rules); the spans secretlint's authors record in their preset-recommend "
        f"snapshots (`benchmarks/data/secretlint/`, MIT), rules of {SECRETLINT_COMMIT}; gitleaks' literal rule samples "
        "(`benchmarks/data/gitleaks/`, MIT: a true-positive text is one secret, a false-positive text's lines are "
        f"negatives), held out up to commit {GITLEAKS_COMMIT} (main's HEAD then), whose rules give its honest figure, "
        "a development set since; whispers' test fixtures (`benchmarks/data/whispers/`, Apache-2.0: each finding "
        "whispers' own tests assert is one secret, findings of non-secret rules such as comments and card numbers are "
        "left out, every other line is a negative), brought in after commit "
        f"{WHISPERS_COMMIT} (main's HEAD then), its loader and labels written and committed (d028f1d) before any "
        "sanitizer ran on them, so the rules of that commit give its held-out figure; a development set since; "
        "CredSweeper's test samples (`benchmarks/data/credsweeper/`, MIT: each finding of the default run its tests "
        "assert is one secret, lines only its no-ML or documentation-mode runs report are left out, every other line "
        f"is a negative), brought in after commit {CREDSWEEPER_COMMIT} (main's HEAD then), its loader and labels "
        "committed (ffedbbd) before any sanitizer ran on them, so the rules of that commit give its held-out figure; "
        "a development set since. CredSweeper's rules are its own; some providers' token formats are the same public "
        "formats the other sources' rules describe. Per-format cases for client configs, dotfiles, command "
        "histories, client code, dumps and service configs (`tests/fixtures/sanitize/client_configs*.json`, written "
        "from the formats' public documentation, each listing the values that must be gone, every other line a "
        "negative), in batches, each written and committed before any sanitizer ran on it, so the rules of main's "
        "HEAD then give its held-out figure ("
        + "; ".join(f"`{path.name}`: committed in {added}, rules of {commit}"
                    for path, _, commit, added in CLIENT_BATCHES)
        + "); a development set since. detect-secrets scans the same texts as files.", "",
        *headline, "",
        "### The per-format cases counted by value", "",
        "A secret line counts as found when any change touches it, so a second value on a found line can leak unseen. "
        "Here every value a per-format case lists must be gone from the whole output (personal-data cases left out); "
        "the line figures of the same cases are beside it.", "",
        *by_value, "",
        "Values that leak with the current rules although their line counts as found:", "",
        *(f"- {line}" for line in hidden_leaks(sets, current) or ["none"]), "",
        "## Every source with the current rules", "",
        f"secretlint's snapshots (since {SECRETLINT_COMMIT}), gitleaks' samples (since {GITLEAKS_COMMIT}), "
        f"whispers' fixtures (since {WHISPERS_COMMIT}), CredSweeper's samples (since {CREDSWEEPER_COMMIT}), "
        f"Nosey Parker's examples (since {NP_SEEN_COMMIT}, when its misses were first read) and the "
        "client-config batches (each since the commit that scores it held out) were "
        "then used to develop rules: their figures here are "
        "development figures. The per-format cases, written from each format's public documentation "
        "(`tests/fixtures/sanitize/formats.json`), are a development set too.", "",
        *rows, "",
        "secretlint, current rules, every miss and false positive against its authors' labels:", "",
        *(f"- {line}" for line in misses(sets, current, SL_CLASS) or ["none"]), "",
        "gitleaks, current rules (development), every miss and false positive:", "",
        *(f"- {line}" for line in misses(sets, current, GL_CLASS) or ["none"]), "",
        "whispers, current rules (development), every miss and false positive:", "",
        *(f"- {line}" for line in misses(sets, current, WH_CLASS) or ["none"]), "",
        "CredSweeper, current rules (development), every miss and false positive:", "",
        *(f"- {line}" for line in misses(sets, current, CS_CLASS) or ["none"]), "",
        f"Nosey Parker, current rules (development since {NP_SEEN_COMMIT}), every miss and false positive:", "",
        *(f"- {line}" for line in misses(sets, current, NP_CLASS) or ["none"]), "",
        *(line for _, cls, _, _ in CLIENT_BATCHES
          for line in (f"{cls}, current rules (development), every miss and false positive:", "",
                       *(f"- {m}" for m in misses(sets, current, cls) or ["none"]), "")),
        "## Real logs and speed", "",
        "Throughput is MB per CPU-second of this process (`time.process_time`), best of 7 runs; the baseline runs on "
        "the same text in the same run.", "",
        *speed, "",
        f"Loghub non-IP redactions: {fired_note}. IP lines per system: "
        + ", ".join(f"{k} {v}" for k, v in sorted(ip_lines.items())) + ".", "",
        "Runbook lines changed by a secret placeholder (a development set: read to find false-positive classes; some "
        "are documentation examples that are redacted on purpose, such as `PASSWORD 'hunter1'`):", "",
        *(f"- {line}" for line in runbook_changed or ["none"]), "",
        "The self-generated corpus is a regression test (`tests/unit/test_sanitize_regression.py`), not a figure.", "",
    ])
    print(report)
    if examples:
        print("Loghub lines that fired (file:line, labels):", *examples[:20], sep="\n  ")
    RESULT.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
