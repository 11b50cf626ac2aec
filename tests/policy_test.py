"""The shape of a sealed file against its rule: what differs, line by line, without a key."""

from __future__ import annotations

from pathlib import Path

from sealer import policy, recipients
from sealer.document import Policy
from sealer.selection import Selection
from tests.helpers import AgeKey, make_age_key


def age(key: AgeKey) -> object:
    return recipients.key_type("age").parse_recipients(key.recipient)[0]


def test_each_difference_has_its_own_line(age_key: AgeKey, tmp_path: Path) -> None:
    other = make_age_key(tmp_path / "k", "other")
    rule = Policy(groups=((age(age_key),), (age(other),)), shamir_threshold=2)
    found = policy.Shape(
        groups=(tuple(sorted([age_key.recipient, other.recipient])),),
        threshold=0,
        selection=("encrypted_regex", "^NOTHING$"),
        mac_only_encrypted=True,
    )
    wanted = policy.of_policy(rule)
    assert policy.differences(found, wanted) == [
        f"key groups: the file has [{', '.join(sorted([age_key.recipient, other.recipient]))}]"
        f", the rule {' '.join(f'[{r}]' for r in sorted([age_key.recipient, other.recipient]))}",
        "shamir_threshold: the file has 0, the rule 2",
        "selection: the file has encrypted_regex: '^NOTHING$', "
        "the rule unencrypted_suffix: '_unencrypted'",
        "mac_only_encrypted: the file has true, the rule false",
    ]
    assert policy.differences(wanted, wanted) == []


def test_recipients_compare_as_sets_per_group(age_key: AgeKey) -> None:
    rule = Policy(groups=((age(age_key),),), selection=Selection())
    doubled = policy.Shape(
        ((age_key.recipient, "age1mallory"),), 0, ("unencrypted_suffix", "_unencrypted"), False
    )
    assert policy.differences(doubled, policy.of_policy(rule)) == [
        "recipient age1mallory: in the file, not in the rule"
    ]
