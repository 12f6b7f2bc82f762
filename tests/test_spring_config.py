"""Spring Boot's application.yml, read as far as Flyway's settings in it go: flat dotted keys,
profile documents left out, ``${NAME:default}`` resolved from the environment."""

from __future__ import annotations

import pytest

from schemadiff.tools._spring import resolve, yaml_settings

#: (name, YAML, the keys read)
YAML = [
    ("nested mappings and scalars",
     "spring:\n  flyway:\n    enabled: true\n    table: schema_history\n",
     {"spring.flyway.enabled": "true", "spring.flyway.table": "schema_history"}),
    ("quotes, comments, a '#' inside quotes, a value holding ':'",
     "spring:\n  datasource:\n    url: jdbc:postgresql://db:5432/shop # the main one\n"
     "  flyway:\n    placeholders:\n      a: 'it''s'\n      b: \"#x\"\n",
     {"spring.datasource.url": "jdbc:postgresql://db:5432/shop",
      "spring.flyway.placeholders.a": "it's", "spring.flyway.placeholders.b": "#x"}),
    ("block lists, at the key's indent or deeper, and flow lists",
     "spring:\n  flyway:\n    schemas:\n    - app\n    - audit\n"
     "    locations:\n      - classpath:db/migration\n    x: [a, 'b']\n",
     {"spring.flyway.schemas": "app,audit", "spring.flyway.locations": "classpath:db/migration",
      "spring.flyway.x": "a,b"}),
    ("dotted keys as written, beside nested ones",
     "spring.flyway.placeholders.owner: svc\nspring:\n  flyway:\n    default-schema: app\n",
     {"spring.flyway.placeholders.owner": "svc", "spring.flyway.default-schema": "app"}),
    ("a profile's document is left out, in either spelling",
     "spring:\n  flyway:\n    table: base\n---\nspring:\n  profiles: dev\n  flyway:\n"
     "    table: dev\n---\nspring.config.activate.on-profile: prod\nspring.flyway.table: prod\n",
     {"spring.flyway.table": "base"}),
    ("block scalars are not values", "spring:\n  flyway:\n    init-sql: |\n      SET x;\n", {}),
]


@pytest.mark.parametrize(("name", "text", "keys"), YAML, ids=[c[0] for c in YAML])
def test_yaml_is_read_as_spring_flattens_it(name: str, text: str, keys: dict[str, str]) -> None:
    assert yaml_settings(text) == keys


#: (value, environment, resolved)
RESOLVE = [
    ("${APP_SCHEMA:app}", {}, "app"),
    ("${APP_SCHEMA:app}", {"APP_SCHEMA": "env"}, "env"),
    ("${db.schema}", {"DB_SCHEMA": "relaxed"}, "relaxed"),
    ("pre_${a-b:x}_post", {"A_B": "y"}, "pre_y_post"),
    ("${UNSET_WITHOUT_DEFAULT}", {}, None),
    ("plain", {}, "plain"),
]


@pytest.mark.parametrize(("value", "environ", "resolved"), RESOLVE, ids=[c[0] for c in RESOLVE])
def test_springs_own_references_are_resolved(value: str, environ: dict[str, str],
                                             resolved: str | None) -> None:
    assert resolve(value, environ) == resolved
