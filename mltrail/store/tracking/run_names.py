"""Readable random run names ("adjective-noun-NNN") for runs created without one."""

from __future__ import annotations

import random


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_ADJECTIVES = _words(
    "agile amber ancient bold brave breezy bright brisk calm clever cosmic crisp curious "
    "dapper daring dazzling eager electric elegant epic fearless fierce gentle gilded glowing "
    "graceful grand happy hidden honest humble jolly keen lively lucid lunar merry mighty "
    "misty nimble noble patient peaceful plucky polished proud quick quiet radiant rapid "
    "restless rustic serene sharp shiny silent silver sleek smooth snowy sober solar "
    "sparkling spirited steady stellar stormy sturdy sunny swift tidy tranquil upbeat valiant "
    "vibrant vivid wandering warm whimsical wise witty zealous zesty"
)

_NOUNS = _words(
    "albatross antelope badger beacon bison canyon capybara cedar comet condor coral "
    "cougar crane delta dolphin dune eagle ember falcon fern finch fjord fox gazelle "
    "glacier grove harbor hawk heron horizon ibis jaguar kestrel koala lagoon lark lemur "
    "lynx maple marmot meadow meteor mink nebula newt ocelot orca osprey otter owl panda "
    "pebble pelican penguin pine plover puffin quasar raven reef robin salmon sequoia "
    "sparrow spruce squirrel summit swan tapir tern tiger toucan tundra walrus willow "
    "wombat wren yak zebra"
)


def generate_run_name(rng: random.Random | None = None) -> str:
    pick = rng or random
    return f"{pick.choice(_ADJECTIVES)}-{pick.choice(_NOUNS)}-{pick.randint(0, 999)}"
