"""Organiser-ordered lists (presentations, extra questions): one rule for moving an item."""


def move_in_list(items: list, item, step: int) -> bool:
    """Move *item* one place up (step -1) or down (+1) among *items* and renumber their positions.

    Returns False, changing nothing, when the item is already first or last.
    """
    ordered = list(items)
    index = ordered.index(item)
    target = index + step
    if not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, each in enumerate(ordered):
        each.position = position
    return True
