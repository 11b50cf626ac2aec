"""Conflict markers: two versions rendered as one and split back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sealer.gitfilter import conflict


def test_render_puts_markers_around_the_lines_that_differ_only() -> None:
    text = conflict.render("a: 1\nb: 2\nc: 3\n", "a: 1\nb: 9\nc: 3\n")
    assert text == "a: 1\n<<<<<<< ours\nb: 2\n=======\nb: 9\n>>>>>>> theirs\nc: 3\n"
    assert conflict.find(text) == (2, 7)


def test_find_needs_a_complete_block_of_one_marker_size() -> None:
    assert conflict.find("<<<<<<< x\n=======\n") is None
    assert conflict.find("<<<<<<<< x\na\n=======\nb\n>>>>>>>> y\n") is None
    assert conflict.find("<<<<<<<< x\na\n========\nb\n>>>>>>>> y\n") == (1, 8)
    assert conflict.find("a: '=======' is not a marker line\n") is None


def test_split_drops_a_diff3_base_section() -> None:
    text = "<<<<<<< ours\nx=1\n||||||| base\nx=0\n=======\nx=2\n>>>>>>> theirs\ny=3\n"
    assert conflict.split(text) == ("x=1\ny=3\n", "x=2\ny=3\n")


lines = st.lists(
    st.sampled_from(["a: 1", "b: 2", "c: 3", "# note", "d:", "  - x", ""]), max_size=12
)


@given(lines, lines)
def test_split_of_render_gives_back_both_versions(ours: list[str], theirs: list[str]) -> None:
    a = "".join(line + "\n" for line in ours)
    b = "".join(line + "\n" for line in theirs)
    rendered = conflict.render(a, b)
    assert conflict.split(rendered) == (a, b)
    assert (conflict.find(rendered) is None) == (a == b)
