"""Secrets in code and dumps whose value is not the first literal after the key: every item of a list, every literal
of a multi-assignment, the literal after a declared type, rows of a dump under a secret column."""

from __future__ import annotations

from faultmaven.sanitize import Sanitizer


def _clean(text: str) -> str:
    return Sanitizer().sanitize(text).text


def test_every_item_of_a_list_under_a_password_key_goes() -> None:
    out = _clean('{\n  "passwords": [\n    "L1stPwOne",\n    "L1stPwTwo"\n  ],\n  "users": ["alice", "bob"]\n}')
    assert "L1stPwOne" not in out and "L1stPwTwo" not in out
    assert '"users": ["alice", "bob"]' in out


def test_a_multi_assignment_loses_every_literal_but_a_call_keeps_its_other_arguments() -> None:
    out = _clean('static_password04, static_password05 := "G0PwFour", "G0PwFive"')
    assert "G0PwFour" not in out and "G0PwFive" not in out
    out = _clean('log("x", password="Kw4rgPw", "other")')
    assert "Kw4rgPw" not in out and '"other"' in out


def test_the_literal_after_a_declared_type_goes_not_the_type() -> None:
    out = _clean('val password: String = "Sc4laPw9"')
    assert "Sc4laPw9" not in out and "String" in out


def test_mysqldump_without_a_column_list_takes_the_columns_of_its_create_table() -> None:
    dump = ("CREATE TABLE `users` (\n  `id` int NOT NULL,\n  `kind` enum('a','b'),\n  `password` varchar(255),\n"
            "  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\nINSERT INTO `users` VALUES (1,'a','Dump3dPw!'),(2,'b','0psPa55');")
    out = _clean(dump)
    assert "Dump3dPw!" not in out and "0psPa55" not in out and "(1,'a'," in out


def test_pg_dump_copy_rows_lose_the_secret_column_only() -> None:
    dump = "COPY public.users (id, login, passwd) FROM stdin;\n1\tbob\tC0pyPw9\n2\tann\t\\N\n\\.\nSELECT 1;\n"
    out = _clean(dump)
    assert "C0pyPw9" not in out and "1\tbob\t" in out and "2\tann\t\\N" in out
