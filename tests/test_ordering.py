"""Moving an item in an organiser-ordered list renumbers the whole list."""

from types import SimpleNamespace

from samlinger.ordering import move_in_list


def items(n):
    return [SimpleNamespace(name=chr(ord("a") + i), position=i * 10) for i in range(n)]


def test_move_up_and_down_renumbers_positions():
    listed = items(3)
    assert move_in_list(listed, listed[2], -1)
    assert [i.name for i in sorted(listed, key=lambda i: i.position)] == ["a", "c", "b"]
    assert sorted(i.position for i in listed) == [0, 1, 2]
    in_order = sorted(listed, key=lambda i: i.position)  # as the relationship loads them
    assert move_in_list(in_order, in_order[0], +1)
    assert [i.name for i in sorted(listed, key=lambda i: i.position)] == ["c", "a", "b"]


def test_first_and_last_stay_put():
    listed = items(2)
    assert not move_in_list(listed, listed[0], -1)
    assert not move_in_list(listed, listed[1], +1)
    assert [i.position for i in listed] == [0, 10]
