"""Believable synthetic products for benchmarks: graded comics, games and apparel."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from emporium.contexts.search import SearchDocument

CHARACTERS = [
    "Spider-Man", "Batman", "Superman", "Wonder Woman", "X-Men", "Wolverine", "Hulk",
    "Iron Man", "Captain America", "Thor", "Daredevil", "Venom", "Deadpool", "Green Lantern",
    "The Flash", "Aquaman", "Fantastic Four", "Avengers", "Justice League", "Watchmen", "Saga",
    "Hellboy", "Spawn", "Sandman", "Punisher", "Silver Surfer", "Black Panther",
    "Doctor Strange", "Ms. Marvel", "Harley Quinn", "Catwoman", "Nightwing", "Supergirl",
    "Teen Titans", "Invincible", "Astérix", "Tintin", "Lucky Luke", "Blacksad", "Valérian",
]  # fmt: skip
SERIES = [
    "The Amazing", "The Uncanny", "The Incredible", "The Mighty", "The Spectacular",
    "Ultimate", "All-New", "Astonishing", "Adventures of", "Legends of", "Tales of",
    "The Sensational", "Savage", "Secret Wars:", "House of M:", "Detective Comics:",
]  # fmt: skip
PUBLISHERS = [
    "Marvel", "DC", "Image", "Dark Horse", "IDW", "Boom! Studios", "Dargaud", "Casterman",
    "Dupuis", "Valiant", "Le Lombard", "Glénat",
]  # fmt: skip
CREATORS = [
    "Stan Lee", "Jack Kirby", "Steve Ditko", "Todd McFarlane", "Frank Miller", "Alan Moore",
    "Jim Lee", "Chris Claremont", "John Byrne", "Neil Gaiman", "Brian K. Vaughan",
    "Fiona Staples", "Grant Morrison", "Moebius", "Hergé", "René Goscinny", "Albert Uderzo",
]  # fmt: skip
GRADES = ["CGC 9.8", "CGC 9.6", "CGC 9.4", "CBCS 9.2", "CGC 8.5", "CGC 7.0", "Raw NM"]
NOTES = [
    "First appearance of {character}.", "Key issue with a classic cover.", "White pages.",
    "Signature series, signed by {creator}.", "Newsstand edition.", "Origin story retold.",
    "Death of a major character.", "Variant cover by {creator}.",
]  # fmt: skip
GAMES = [
    "Catan", "Ticket to Ride", "Carcassonne", "Pandemic", "Gloomhaven", "Wingspan", "Azul",
    "Terraforming Mars", "Scythe", "7 Wonders", "Dominion", "Splendor", "Codenames",
    "King of Tokyo", "Brass: Birmingham", "Root", "Everdell", "Spirit Island",
    "The King's Dilemma", "Dixit", "Agricola", "Puerto Rico", "Twilight Struggle",
]  # fmt: skip
EDITIONS = ["", "Big Box", "Expansion", "2nd Edition", "Collector's Edition", "Travel Edition"]
CARD_SETS = [
    "Pokémon Base Set", "Pokémon Jungle", "Pokémon Fossil", "Pokémon Team Rocket",
    "Pokémon Evolving Skies", "Magic: The Gathering Dominaria", "Magic: The Gathering Zendikar",
    "Yu-Gi-Oh! Legend of Blue Eyes",
]  # fmt: skip
CARD_ITEMS = ["Booster Pack", "Booster Box", "Elite Trainer Box", "Starter Deck"]
APPAREL = ["T-Shirt", "Hoodie", "Cap", "Tote Bag", "Socks", "Long-Sleeve Tee", "Beanie"]
COLOURS = ["Black", "White", "Red", "Navy", "Heather Grey", "Forest Green", "Yellow"]
SIZES = ["XS, S, M", "S, M, L", "M, L, XL", "S, M, L, XL, XXL", "One size"]
VENDOR_WORDS = [
    "Vault", "Panel", "Meeple", "Threads", "Attic", "Longbox", "Dice", "Cardboard", "Ink",
    "Gutter", "Splash", "Variant", "Mint", "Keystone", "Quest", "Harbor", "Atlas", "Lantern",
]  # fmt: skip
VENDOR_KINDS = ["Comics", "Games", "Collectibles", "Apparel", "Trading Co.", "Emporium"]
CATEGORIES = {
    "graded-comics": (["comics", "graded-comics"], ["Comics", "Graded Comics"]),
    "european-comics": (["comics", "european-comics"], ["Comics", "European Comics"]),
    "board-games": (["games", "board-games"], ["Games", "Board Games"]),
    "trading-cards": (["games", "trading-cards"], ["Games", "Trading Cards"]),
    "t-shirts": (["apparel", "t-shirts"], ["Apparel", "T-Shirts"]),
    "accessories": (["apparel", "accessories"], ["Apparel", "Accessories"]),
}
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
# title, description, attributes, own category slug, price
Draft = tuple[str, str, dict[str, str], str, int]


def vendors(count: int = 200) -> list[tuple[str, str]]:
    """(id, name) of count vendors; the first is KeyVault Comics."""
    rng = random.Random(7)
    names = ["KeyVault Comics"] + [
        f"{rng.choice(VENDOR_WORDS)} {rng.choice(VENDOR_WORDS)} {rng.choice(VENDOR_KINDS)}"
        for _ in range(count - 1)
    ]
    return [(str(uuid.UUID(int=10**12 + i)), name) for i, name in enumerate(names)]


def _comic(rng: random.Random) -> Draft:
    character, creator = rng.choice(CHARACTERS), rng.choice(CREATORS)
    issue, year = rng.randint(1, 700), rng.randint(1962, 2025)
    publisher, grade = rng.choice(PUBLISHERS), rng.choice(GRADES)
    title = f"{rng.choice(SERIES)} {character} #{issue}"
    note = rng.choice(NOTES).format(character=rng.choice(CHARACTERS), creator=creator)
    description = f"{grade} copy of issue #{issue} ({year}), {publisher}, by {creator}. {note}"
    attributes = {"publisher": publisher, "grade": grade, "year": str(year)}
    category = (
        "european-comics" if publisher in {"Dargaud", "Casterman", "Dupuis"} else "graded-comics"
    )
    return title, description, attributes, category, rng.randint(500, 2_500_000)


def _game(rng: random.Random) -> Draft:
    if rng.random() < 0.4:
        title = f"{rng.choice(CARD_SETS)} {rng.choice(CARD_ITEMS)}"
        return (
            title,
            "Sealed product, English.",
            {"language": "English"},
            "trading-cards",
            rng.randint(400, 90_000),
        )
    title = f"{rng.choice(GAMES)} {rng.choice(EDITIONS)}".strip()
    players = f"{rng.randint(1, 3)}-{rng.randint(4, 8)}"
    description = (
        f"A board game for {players} players, about {rng.choice([30, 45, 60, 90, 120])} minutes."
    )
    return title, description, {"players": players}, "board-games", rng.randint(1_500, 15_000)


def _apparel(rng: random.Random) -> Draft:
    item = rng.choice(APPAREL)
    title = f"{rng.choice(CHARACTERS)} {item}"
    attributes = {"size": rng.choice(SIZES), "colour": rng.choice(COLOURS)}
    category = "t-shirts" if "T" in item or "Tee" in item else "accessories"
    return (
        title,
        f"Organic cotton {item.lower()}, screen printed in Portugal.",
        attributes,
        category,
        rng.randint(900, 6_000),
    )


def documents(count: int, *, seed: int = 42) -> Iterator[SearchDocument]:
    """count products, the same ones for the same seed."""
    rng = random.Random(seed)
    sellers = vendors()
    makers = [_comic] * 5 + [_game] * 3 + [_apparel] * 2
    for i in range(count):
        title, description, attributes, category, price = rng.choice(makers)(rng)
        vendor_id, vendor_name = sellers[0] if rng.random() < 0.2 else rng.choice(sellers)
        slugs, names = CATEGORIES[category]
        high = price + (
            rng.choice([0, 0, 500, 1000]) if category in {"t-shirts", "accessories"} else 0
        )
        yield SearchDocument(
            product_id=str(uuid.UUID(int=i + 1)),
            slug=f"p-{i}",
            title=title,
            description=description,
            attributes=attributes,
            vendor_id=vendor_id,
            vendor_name=vendor_name,
            category_slugs=list(slugs),
            category_names=list(names),
            category_slug=category,
            price_min=price,
            price_max=high,
            currency="EUR",
            in_stock=rng.random() < 0.85,
            rating=round(rng.uniform(2.5, 5.0), 1),
            created_at=EPOCH - timedelta(minutes=i),
        )
