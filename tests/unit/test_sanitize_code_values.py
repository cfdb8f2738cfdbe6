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


def test_go_declarations_pair_each_literal_with_its_own_name() -> None:
    out = _clean('var user, pass string = "admin", "G0VarPw9"')
    assert "G0VarPw9" not in out and '"admin"' in out
    out = _clean('password, user := "G0ShortPw9", "admin"')
    assert "G0ShortPw9" not in out and '"admin"' in out
    out = _clean('username, password := "admin", "G0PairPw9"')
    assert "G0PairPw9" not in out and '"admin"' in out
    out = _clean('var dbPassword string = "G0TypedPw9"')
    assert "G0TypedPw9" not in out
    assert _clean('var user, host string = "admin", "db.local"') == 'var user, host string = "admin", "db.local"'


def test_java_setters_with_a_secret_name_lose_the_value_not_the_name() -> None:
    out = _clean('props.setProperty("db.password", "Pr0psPw9");')
    assert "Pr0psPw9" not in out and '"db.password"' in out
    out = _clean('System.setProperty("javax.net.ssl.keyStorePassword", "K3yst0rePw");')
    assert "K3yst0rePw" not in out
    assert "S3cretVal9" not in _clean('settings.put("client_secret", "S3cretVal9");')
    kept = 'System.setProperty("user.name", "admin"); map.put("password", password);'
    assert _clean(kept) == kept


def test_azure_devops_twitch_nuget_and_grafana_tokens() -> None:
    old_pat = "q3hx7kd2mzvpa5wrj4yt6nce2lbo7fgu3sih5xwqz4kdmr2ytpva"  # 52 base32 characters, only under a key
    assert old_pat not in _clean(f"AZURE_DEVOPS_EXT_PAT={old_pat}")
    assert old_pat not in _clean(f'"personalAccessToken": "{old_pat}"')
    assert _clean(f"commit {old_pat}") == f"commit {old_pat}"
    assert "yf2vzjqb705z12hrhy1zkwa9xt7v66" not in _clean("PASS oauth:yf2vzjqb705z12hrhy1zkwa9xt7v66")
    assert "cfabdegwdoklmawdzdo98xt2fo512y" not in _clean("TWITCH_ACCESS_TOKEN: cfabdegwdoklmawdzdo98xt2fo512y")
    nuget = "oy2ka6hpvcbyt4y4pjmnyfh6gl3sufsqbwiqeflnyafrw2"  # `oy2` and 43 base32 characters
    assert nuget not in _clean(f"dotnet nuget push app.nupkg -k {nuget}")
    for token in ("eyJrIjoiT0tTcG1pUlY2RnVKZTFVaDFsNFZXdE9ZWmNrMkZYbk4iLCJuIjoiYWRtaW4iLCJpZCI6MX0=",
                  "glsa_Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec_1a2b3c4d",
                  "glc_eyJvIjoiMTIzNDU2IiwibiI6InN0YWNrLTEyMzQiLCJrIjoiSHEyTG05In0K"):
        assert token not in _clean(f"grafana {token}")


def test_comparisons_padded_arrows_and_string_prefixes_lose_the_literal() -> None:
    for text, value in (('if creds.Secret != "0pen-Ses4me" {', "0pen-Ses4me"),
                        ('if (password !== "PaS5w0rD2#") {', "PaS5w0rD2#"),
                        ('if (password === "PaS5w0rD2#") {', "PaS5w0rD2#"),
                        ('  :password       => "Rub4rrowPw",', "Rub4rrowPw"),
                        ('password = f"Fstr1ngPw"', "Fstr1ngPw")):
        assert value not in _clean(text), text
    kept = 'if name != "admin" {'
    assert _clean(kept) == kept


def test_command_line_options_and_libcurl_setters_lose_the_secret() -> None:
    out = _clean("openssl pkcs12 -export -in c.pem -passout pass:0pensslPw9 -out c.p12")
    assert "0pensslPw9" not in out and "-passout pass:" in out
    assert "S3cr3tPw9" not in _clean("java -jar tool.jar -password S3cr3tPw9")
    out = _clean('curl_easy_setopt(h, CURLOPT_USERPWD, "root:Us3rPwd9");')
    assert "Us3rPwd9" not in out and '"root:' in out
    for kept in ("openssl rsa -passin env:KEY_PASS -in k.pem", "tool -token file.txt",
                 'curl_easy_setopt(h, CURLOPT_URL, "https://example.com/login");'):
        assert _clean(kept) == kept


def test_code_around_a_secret_name_is_not_taken_for_its_value() -> None:
    for kept in ('sb.append("MasterUserPassword: " + getMasterUserPassword() + ",");',
                 "echo 'password = '.$p['config']['daemon_password'];",
                 '\\$pwd = \\$_POST[\\"password\\"];',
                 "- echo 'export DATABASE_PASSWORD=\"'$PRECOMPILE_PASSWORD'\"' >> .env",
                 "FORGOT_PASSWORD=$BASE_URL/classroom/#/forgot_password",
                 "pwd = (char *) (p + ulen + 2);",
                 "put '/forgot-password' => \"cms/sites/passwords#update\""):
        assert _clean(kept) == kept, kept


def test_a_businessworks_module_property_path_names_its_key() -> None:
    out = _clean("//OrdersApp//JDBC/url=jdbc:oracle:thin:@db01:1521:ORCL\n//OrdersApp//EMS/password=Em6!tWq2Lz8V")
    assert "Em6!tWq2Lz8V" not in out and "//OrdersApp//JDBC/url=jdbc:oracle" in out
    for kept in ("GET //cdn//assets/password=reset.html", "see /docs/admin/password=set-it"):
        assert _clean(kept) == kept, kept


def test_a_sealed_secret_keeps_its_ciphertext_but_a_plain_secret_goes() -> None:
    cipher = "AgB" + "Hq2Lm9Vx4Zp8Tn3Yb6Jf1Ka5Uw0Ro2Ec7Gd4Sh9Pk3Mz6Qv8Lc1+/" * 7
    sealed = f"kind: SealedSecret\nspec:\n  encryptedData:\n    PASSWORD: {cipher}\n"
    assert _clean(sealed) == sealed
    assert cipher not in _clean(f"kind: Secret\nstringData:\n  PASSWORD: {cipher}\n")
    assert "be8dfd.da8a689a46edc282" not in _clean('BOOTSTRAP_TOKEN: "be8dfd.da8a689a46edc282"')


def test_the_literal_default_of_a_lookup_and_android_build_fields_go() -> None:
    out = _clean('PASSWORD = os.environ.get("PASSWORD") or "Df4ultPw9"')
    assert "Df4ultPw9" not in out and 'os.environ.get("PASSWORD")' in out
    assert "devPass123" not in _clean('const password = process.env.DB_PASSWORD || "devPass123";')
    out = _clean('buildConfigField "String", "API_KEY", "\\"Hq2Lm9Vx4Zp8Tn3Yb6\\""')
    assert "Hq2Lm9Vx4Zp8Tn3Yb6" not in out and '"API_KEY"' in out
    for kept in ('password = get_password() or prompt()', 'buildConfigField "String", "BASE_URL", "\\"https://x\\""'):
        assert _clean(kept) == kept


def test_salt_keys_base64_private_keys_and_calls() -> None:
    assert "Hq2Lm9x" not in _clean('AUTH_SALT: "Hq2Lm9x"')
    encoded = "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVBdGVzdA=="
    assert encoded not in _clean(f'{{"tls.key": "{encoded}"}}')
    certificate = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSURCVENDQWUyZ0F3SUJBZ0lJ"
    assert _clean(f"- {certificate}") == f"- {certificate}"
    for kept in ("salt = os.urandom(16)", "token = secrets.token_hex(16)", "salt_length = 16",
                 'password = process.env.PASSWORD || "not-set"'):
        assert _clean(kept) == kept, kept


def test_sql_that_sets_a_password_loses_the_literal() -> None:
    history = ("CREATE USER 'app'@'%' IDENTIFIED BY 'MyS9lPw!';\n"
               "GRANT ALL ON shop.* TO 'app'@'%';\n"
               "alter user postgres with password 'PgAlt3rPw';\n"
               "SET PASSWORD FOR 'bob'@'%' = PASSWORD('B0bPw9x');\n")
    out = _clean(history)
    for value in ("MyS9lPw!", "PgAlt3rPw", "B0bPw9x"):
        assert value not in out
    assert "GRANT ALL ON shop.* TO 'app'@'%';" in out
    kept = "SELECT name FROM users WHERE role = 'admin' ORDER BY 'name';"
    assert _clean(kept) == kept


def test_history_lines_that_pipe_a_password_and_device_configs() -> None:
    for text, value in (('echo "S3cr3tSud0" | sudo -S apt-get update', "S3cr3tSud0"),
                        ("echo 'deploy:Chp4sswdPw' | chpasswd", "Chp4sswdPw"),
                        ("echo Dck3rStdinPw | docker login -u ci --password-stdin ghcr.io", "Dck3rStdinPw"),
                        ("username admin privilege 15 password 0 C1sc0Cl34r", "C1sc0Cl34r"),
                        ("enable password C1scoEn4ble", "C1scoEn4ble"),
                        ("[System.Environment]::SetEnvironmentVariable('API_KEY', 'Hq2Lm9Vx4Zp8Tn3Yb6', 'User')",
                         "Hq2Lm9Vx4Zp8Tn3Yb6")):
        assert value not in _clean(text), text
    out = _clean("echo 'deploy:Chp4sswdPw' | chpasswd")
    assert "deploy:" in out
    for kept in ('echo "$PASSWORD" | docker login -u ci --password-stdin', "echo hello | grep h"):
        assert _clean(kept) == kept


def test_dockerfile_env_without_equals_and_compound_salt_names() -> None:
    out = _clean("FROM alpine\nENV DB_PASSWORD D0ckerfileSp9\nENV PATH /usr/local/bin:$PATH\n")
    assert "D0ckerfileSp9" not in out and "ENV PATH /usr/local/bin:$PATH" in out
    assert "Nx7qLm2Rv9Tz" not in _clean("  'passwordsalt' => 'Nx7qLm2Rv9Tz',")
    assert _clean("basalt = 'rock'") == "basalt = 'rock'"


def test_a_value_that_spells_its_key_with_a_filler_word_is_a_template() -> None:
    text = '"client_secret": "client_secret_value",\n"cookie_secret": "your_cookie_secret_here",\n'
    assert _clean(text) == text
    assert "Cl1entS3cretV4lue" not in _clean('"client_secret": "Cl1entS3cretV4lue"')


def test_a_quoted_phrase_is_prose_under_a_password_key_but_a_secret_under_a_passphrase_key() -> None:
    assert "quartz river 9 lantern" not in _clean('export PASSPHRASE="quartz river 9 lantern"')
    assert "quartz river 9 lantern" not in _clean('SIGN_PASSPHRASE="quartz river 9 lantern"')
    prose = 'PASSWORD="see the team vault entry"\n'
    assert _clean(prose) == prose
