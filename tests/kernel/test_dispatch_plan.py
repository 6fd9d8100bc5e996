"""A dispatch pass looks before it writes: subscribers with nothing to handle cost no batch."""

from __future__ import annotations

from emporium.kernel.dispatcher import dispatch_once, plan_pass, subscriber_statuses
from emporium.kernel.runtime import Runtime
from tests.kernel.builders import (
    OtherThingHappened,
    ThingHappened,
    append,
    effect_positions,
    effect_subscriber,
)


async def test_a_pass_handles_matching_events_and_moves_idle_checkpoints_to_the_head(
    runtime: Runtime,
) -> None:
    runtime.subscribers.add(effect_subscriber("things", types=[ThingHappened.type]))
    runtime.subscribers.add(effect_subscriber("others", types=[OtherThingHappened.type]))
    positions = await append(runtime, *(ThingHappened(id="a", n=n) for n in range(3)))

    things, others = runtime.subscribers.get("things"), runtime.subscribers.get("others")
    assert things is not None and others is not None
    plan = await plan_pass(runtime, [things, others])
    assert [s.name for s in plan.due] == ["things"]
    assert plan.idle == {"others": 0}

    progress = await dispatch_once(runtime)
    assert progress.handled == 3
    statuses = {s.name: s for s in await subscriber_statuses(runtime)}
    assert statuses["things"].position == statuses["others"].position == positions[-1]
    assert await effect_positions(runtime, "others") == []


async def test_an_idle_subscriber_still_sees_its_event_when_one_arrives(runtime: Runtime) -> None:
    runtime.subscribers.add(effect_subscriber("others", types=[OtherThingHappened.type]))
    await append(runtime, *(ThingHappened(id="a", n=n) for n in range(5)))
    await dispatch_once(runtime)
    [wanted] = await append(runtime, OtherThingHappened(id="b", n=1))
    await append(runtime, ThingHappened(id="a", n=9))

    others = runtime.subscribers.get("others")
    assert others is not None
    assert [s.name for s in (await plan_pass(runtime, [others])).due] == ["others"]
    await dispatch_once(runtime)
    assert await effect_positions(runtime, "others") == [wanted]


async def test_a_caught_up_subscriber_is_neither_due_nor_idle(runtime: Runtime) -> None:
    runtime.subscribers.add(effect_subscriber("things", types=[ThingHappened.type]))
    await append(runtime, ThingHappened(id="a", n=1))
    await dispatch_once(runtime)
    things = runtime.subscribers.get("things")
    assert things is not None
    plan = await plan_pass(runtime, [things])
    assert (plan.due, plan.idle) == ([], {})
