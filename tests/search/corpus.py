"""A small believable marketplace to search: graded comics, games and apparel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from emporium.contexts.search import SearchDocument

KEYVAULT = "0192f0c0-0000-7000-8000-00000000000a"
MEEPLE = "0192f0c0-0000-7000-8000-00000000000b"
THREADS = "0192f0c0-0000-7000-8000-00000000000c"
VENDOR_NAMES = {KEYVAULT: "KeyVault Comics", MEEPLE: "Meeple Market", THREADS: "Panel Threads"}

# slug → (category path of slugs, category path of names), ancestors first
CATEGORIES = {
    "comics": (["comics"], ["Comics"]),
    "graded-comics": (["comics", "graded-comics"], ["Comics", "Graded Comics"]),
    "board-games": (["games", "board-games"], ["Games", "Board Games"]),
    "trading-cards": (["games", "trading-cards"], ["Games", "Trading Cards"]),
    "t-shirts": (["apparel", "t-shirts"], ["Apparel", "T-Shirts"]),
}
EPOCH = datetime(2025, 6, 1, tzinfo=UTC)


def document(
    slug: str,
    title: str,
    *,
    description: str = "",
    attributes: dict[str, str] | None = None,
    category: str | None = "comics",
    vendor_id: str = KEYVAULT,
    price: int | tuple[int, int] = 1999,
    in_stock: bool = True,
    age_days: int = 0,
) -> SearchDocument:
    """A product document with believable defaults; `age_days` orders the browse list."""
    low, high = price if isinstance(price, tuple) else (price, price)
    slugs, names = CATEGORIES[category] if category else ([], [])
    return SearchDocument(
        product_id=f"prod-{slug}",
        slug=slug,
        title=title,
        description=description,
        attributes=attributes or {},
        vendor_id=vendor_id,
        vendor_name=VENDOR_NAMES[vendor_id],
        category_slugs=list(slugs),
        category_names=list(names),
        category_slug=category,
        price_min=low,
        price_max=high,
        currency="EUR",
        in_stock=in_stock,
        rating=4.5,
        created_at=EPOCH - timedelta(days=age_days),
        image_url=f"/media/{slug}.jpg",
    )


CORPUS = [
    document(
        "amazing-spider-man-300",
        "The Amazing Spider-Man #300",
        description="First full appearance of Venom. Todd McFarlane cover and interior art.",
        attributes={"publisher": "Marvel", "grade": "CGC 9.8", "year": "1988"},
        category="graded-comics",
        price=250_000,
        age_days=1,
    ),
    document(
        "amazing-fantasy-15",
        "Amazing Fantasy #15",
        description="The first appearance of Spider-Man, by Stan Lee and Steve Ditko.",
        attributes={"publisher": "Marvel", "grade": "CGC 4.0", "year": "1962"},
        category="graded-comics",
        price=1_500_000,
        age_days=2,
    ),
    document(
        "killing-joke",
        "Batman: The Killing Joke",
        description="Alan Moore and Brian Bolland's one-shot about the Joker's origin.",
        attributes={"publisher": "DC"},
        price=2499,
        age_days=3,
    ),
    document(
        "dark-knight-returns",
        "The Dark Knight Returns",
        description="Frank Miller's story of an ageing Batman who returns to Gotham.",
        attributes={"publisher": "DC"},
        price=2999,
        age_days=4,
    ),
    document(
        "x-men-1",
        "X-Men #1",
        description="Jim Lee's record-selling relaunch with a gatefold cover.",
        attributes={"publisher": "Marvel", "grade": "CGC 9.6", "year": "1991"},
        category="graded-comics",
        price=12_000,
        in_stock=False,
        age_days=5,
    ),
    document(
        "wolverine-1",
        "Wolverine #1",
        description="The limited series by Chris Claremont and Frank Miller.",
        attributes={"publisher": "Marvel"},
        price=8_000,
        age_days=6,
    ),
    document(
        "saga-volume-one",
        "Saga, Volume One",
        description="Brian K. Vaughan and Fiona Staples' space opera.",
        attributes={"publisher": "Image"},
        price=1499,
        age_days=7,
    ),
    document(
        "watchmen",
        "Watchmen",
        description="Alan Moore and Dave Gibbons' deconstruction of the superhero.",
        attributes={"publisher": "DC"},
        price=3499,
        age_days=8,
    ),
    document(
        "asterix-le-gaulois",
        "Astérix le Gaulois",
        description="The first album by Goscinny and Uderzo.",
        attributes={"publisher": "Dargaud", "language": "Français"},
        price=1299,
        age_days=9,
    ),
    document(
        "venom-lethal-protector-1",
        "Venom: Lethal Protector #1",
        description="Venom heads to San Francisco in his first solo series, "
        "with a Spider-Man cameo.",
        attributes={"publisher": "Marvel"},
        price=1800,
        age_days=10,
    ),
    document(
        "pokemon-base-set-booster",
        "Pokémon Base Set Booster Pack",
        description="A sealed 1999 booster with eleven cards.",
        attributes={"publisher": "Wizards of the Coast", "language": "English"},
        category="trading-cards",
        vendor_id=MEEPLE,
        price=45_000,
        in_stock=False,
        age_days=11,
    ),
    document(
        "catan",
        "Catan",
        description="Trade, build and settle the island in this classic family game.",
        attributes={"players": "3-4", "publisher": "Kosmos"},
        category="board-games",
        vendor_id=MEEPLE,
        price=3999,
        age_days=12,
    ),
    document(
        "ticket-to-ride",
        "Ticket to Ride",
        description="Collect train cards and claim railway routes across North America.",
        attributes={"players": "2-5", "publisher": "Days of Wonder"},
        category="board-games",
        vendor_id=MEEPLE,
        price=4499,
        age_days=13,
    ),
    document(
        "kings-dilemma",
        "The King's Dilemma",
        description="A legacy game of politics and difficult choices.",
        attributes={"players": "3-5"},
        category="board-games",
        vendor_id=MEEPLE,
        price=5999,
        age_days=14,
    ),
    document(
        "spider-man-logo-tee",
        "Spider-Man Logo T-Shirt",
        description="Soft cotton tee with the classic emblem.",
        attributes={"size": "S, M, L, XL", "colour": "Red"},
        category="t-shirts",
        vendor_id=THREADS,
        price=(1999, 2499),
        age_days=15,
    ),
    document(
        "batman-logo-tee",
        "Batman Logo T-Shirt",
        description="Heavyweight cotton tee, screen printed.",
        attributes={"size": "M, L", "colour": "Black"},
        category="t-shirts",
        vendor_id=THREADS,
        price=1999,
        age_days=16,
    ),
    document(
        "watchmen-smiley-tee",
        "Watchmen Smiley T-Shirt",
        description="The blood-stained smiley badge on a cotton tee.",
        attributes={"size": "S, M", "colour": "Yellow"},
        category="t-shirts",
        vendor_id=THREADS,
        price=2199,
        in_stock=False,
        age_days=17,
    ),
]
BY_SLUG = {doc.slug: doc for doc in CORPUS}
