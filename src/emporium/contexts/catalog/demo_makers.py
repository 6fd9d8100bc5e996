"""Believable products for the demo catalog: graded comics, board games, apparel.

Each maker returns a product's fields, its variants (with the stock to put on hand) and
the name of its category; demo_data.py turns them into rows.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

PUBLISHERS = {
    "Marvel": [
        "The Amazing Spider-Man",
        "X-Men",
        "The Incredible Hulk",
        "Fantastic Four",
        "Daredevil",
        "Iron Man",
        "The Avengers",
        "Wolverine",
        "Thor",
        "Captain America",
        "The Uncanny X-Men",
        "Silver Surfer",
        "Black Panther",
        "Ms. Marvel",
    ],
    "DC": [
        "Batman",
        "Detective Comics",
        "Superman",
        "Action Comics",
        "Wonder Woman",
        "The Flash",
        "Green Lantern",
        "Batman: The Killing Joke",
        "Swamp Thing",
        "The Sandman",
        "Watchmen",
        "Teen Titans",
    ],
    "Image": ["Saga", "Spawn", "The Walking Dead", "Invincible", "Monstress", "Paper Girls"],
    "Dark Horse": ["Hellboy", "Sin City", "Usagi Yojimbo", "The Umbrella Academy"],
    "Independent": ["Teenage Mutant Ninja Turtles", "Bone", "Cerebus", "Love and Rockets"],
}
GRADES = [
    ("CGC 9.8", "Near Mint/Mint"),
    ("CGC 9.6", "Near Mint+"),
    ("CGC 9.4", "Near Mint"),
    ("CGC 9.2", "Near Mint-"),
    ("CGC 9.0", "Very Fine/Near Mint"),
    ("CGC 8.5", "Very Fine+"),
    ("CBCS 9.8", "Near Mint/Mint"),
    ("CBCS 9.0", "Very Fine/Near Mint"),
    ("CGC 7.5", "Very Fine-"),
    ("CGC 6.0", "Fine"),
]
GAMES = [
    ("Catan", "Strategy"),
    ("Ticket to Ride", "Family"),
    ("Carcassonne", "Family"),
    ("Pandemic", "Cooperative"),
    ("Wingspan", "Strategy"),
    ("Azul", "Family"),
    ("Gloomhaven", "Cooperative"),
    ("Terraforming Mars", "Strategy"),
    ("Codenames", "Party"),
    ("Dixit", "Party"),
    ("7 Wonders", "Strategy"),
    ("Spirit Island", "Cooperative"),
    ("Splendor", "Family"),
    ("Dominion", "Strategy"),
    ("Everdell", "Strategy"),
    ("Root", "Strategy"),
    ("Just One", "Party"),
    ("Pokémon Trading Card Game: Base Set Booster", "Family"),
    ("Brass: Birmingham", "Strategy"),
    ("The Crew", "Cooperative"),
    ("Cascadia", "Family"),
    ("Scythe", "Strategy"),
]
EDITIONS = [
    "Base Game",
    "Deluxe Edition",
    "Anniversary Edition",
    "Travel Edition",
    "Expansion: Seafarers",
    "Second Edition",
    "Collector's Edition",
]
LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl"]
GARMENTS = ["T-Shirt", "Hoodie", "Long Sleeve", "Tote Bag", "Cap"]
MOTIFS = [
    "Venom Symbiote",
    "Bat-Signal",
    "Retro Spidey",
    "Hulk Smash",
    "Meeple Army",
    "Critical Hit",
    "Dice Goblin",
    "Panel Border",
    "Kirby Krackle",
    "Golden Age Logo",
    "Pixel Hero",
    "Comic Sans Irony",
    "Dragon Hoard",
    "Natural Twenty",
]
SIZES = ["XS", "S", "M", "L", "XL", "XXL"]
COLOURS = ["Black", "White", "Heather Grey", "Navy", "Bordeaux", "Forest Green"]


def comic(rng: random.Random, n: int) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    publisher = rng.choice(list(PUBLISHERS))
    series = rng.choice(PUBLISHERS[publisher])
    issue = rng.randint(1, 700)
    year = rng.randint(1963, 2024)
    grade, condition = rng.choice(GRADES)
    title = f"{series} #{issue}"
    description = (
        f"{series} issue {issue} ({publisher}, {year}), graded {grade} by a "
        f"third-party grading service. Slabbed, certified, shipped insured."
    )
    attributes = {"publisher": publisher, "issue_number": issue, "year": year, "format": "Comic"}
    price = rng.choice([2900, 4900, 8900, 14900, 29900, 74900, 150000, 350000])
    variant = {
        "sku": f"KV-{n:07d}",
        "title": grade,
        "attributes": {"grade": grade},
        "price_amount": price,
        "tax_category": "reduced",
        "weight_grams": 180,
        "is_unique": True,
        "condition": condition,
        "grade": grade,
        "certification": f"{4200000000 + n}",
        "stock": rng.choice([1, 1, 1, 0]),
    }
    category = "Graded Comics" if rng.random() < 0.3 else publisher
    return (
        {"title": title, "description": description, "attributes": attributes},
        [variant],
        category,
    )


def game(rng: random.Random, n: int) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    name, genre = rng.choice(GAMES)
    edition = rng.choice(EDITIONS)
    title = f"{name} — {edition}"
    players = f"{rng.randint(1, 2)}-{rng.randint(4, 8)}"
    description = (
        f"{name} ({edition}). A {genre.lower()} game for {players} players, "
        f"about {rng.choice([30, 45, 60, 90, 120])} minutes."
    )
    attributes = {"genre": genre, "players": players, "format": "Board Game"}
    base = rng.choice([1999, 2999, 3999, 4999, 5999, 8999])
    variants = [
        {
            "sku": f"DD-{n:07d}-{lang.upper()}",
            "title": f"Language: {lang}",
            "attributes": {"language": lang},
            "price_amount": base,
            "tax_category": "standard",
            "weight_grams": rng.randint(600, 3000),
            "is_unique": False,
            "condition": None,
            "grade": None,
            "certification": None,
            "stock": rng.randint(0, 40),
        }
        for lang in rng.sample(LANGUAGES, rng.randint(1, 3))
    ]
    return {"title": title, "description": description, "attributes": attributes}, variants, genre


def apparel(rng: random.Random, n: int) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    garment = rng.choice(GARMENTS)
    motif = rng.choice(MOTIFS)
    title = f"{motif} {garment}"
    description = f"Organic cotton {garment.lower()} with the {motif} print. Unisex fit."
    price = {"T-Shirt": 2499, "Hoodie": 5499, "Long Sleeve": 3299, "Tote Bag": 1799, "Cap": 2199}[
        garment
    ]
    sizes = ["One Size"] if garment in ("Tote Bag", "Cap") else rng.sample(SIZES, 3)
    colours = rng.sample(COLOURS, 2)
    variants = [
        {
            "sku": f"PT-{n:07d}-{size}-{colour[:3].upper()}",
            "title": f"{size} / {colour}",
            "attributes": {"size": size, "colour": colour},
            "price_amount": price,
            "tax_category": "standard",
            "weight_grams": 250,
            "is_unique": False,
            "condition": None,
            "grade": None,
            "certification": None,
            "stock": rng.randint(0, 25),
        }
        for size in sizes
        for colour in colours
    ]
    category = {"Hoodie": "Hoodies", "Tote Bag": "Accessories", "Cap": "Accessories"}.get(
        garment, "T-Shirts"
    )
    attributes = {"garment": garment, "material": "organic cotton", "format": "Apparel"}
    return (
        {"title": title, "description": description, "attributes": attributes},
        variants,
        category,
    )


KINDS = ("comics", "games", "apparel")


def plan(count: int, rng: random.Random) -> Iterator[tuple[str, int]]:
    """The kind of each of count products, by its number: half comics, then games, apparel."""
    for n in range(count):
        roll = rng.random()
        yield ("comics" if roll < 0.5 else "games" if roll < 0.8 else "apparel"), n
