"""The demo publisher's articles: a small magazine in four topics.

Each article's ``topic`` becomes the ``category`` page property the SDK adds to
its ``Pageview``, which is what the demo cohorts test.
"""

from __future__ import annotations

from dataclasses import dataclass

TOPICS = ("travel", "food", "tech", "home")


@dataclass(frozen=True)
class Article:
    """One page of the demo site."""

    slug: str
    topic: str
    title: str
    author: str
    summary: str
    paragraphs: tuple[str, ...]

    @property
    def path(self) -> str:
        """Where the site serves it, e.g. ``/travel/lisbon-in-three-days``."""
        return f"/{self.topic}/{self.slug}"

    @property
    def page_properties(self) -> dict[str, str]:
        """What the page passes to the SDK (``data-page-properties``)."""
        return {"category": self.topic, "topic": self.slug, "author": self.author}


ARTICLES: tuple[Article, ...] = (
    Article(
        "lisbon-in-three-days",
        "travel",
        "Lisbon in three days, on foot and by tram",
        "Marta Silva",
        "Viewpoints, custard tarts and the slow climb of tram 28.",
        (
            "Start in Alfama before the tour groups wake up. The lanes are steep, "
            "the washing hangs low, and every turn ends at a miradouro with the "
            "river below.",
            "On the second day take tram 28 to Graça, then walk down through "
            "Mouraria for lunch. Keep the evening for Bairro Alto, where the fado "
            "houses open late.",
            "Save Belém for the last morning: the monastery, the tower and a box "
            "of pastéis still warm from the oven.",
        ),
    ),
    Article(
        "night-trains-of-europe",
        "travel",
        "The night trains worth booking this winter",
        "Tom Becker",
        "Vienna to Venice, Paris to Berlin: sleeping cars are back.",
        (
            "A couchette costs less than a hotel room and saves a day. The new "
            "sleepers between Vienna and Venice arrive before breakfast, with the "
            "Alps going past the window.",
            "Book early for a private compartment; the six-berth ones are "
            "cheaper and, with earplugs, surprisingly restful.",
        ),
    ),
    Article(
        "hiking-the-dolomites",
        "travel",
        "Hut to hut in the Dolomites: a first-timer's route",
        "Giulia Ferri",
        "Five days, four huts and one unforgettable sunrise.",
        (
            "The Alta Via 1 is the classic, but the first stages alone make a "
            "fine long weekend. Huts serve dinner and breakfast, so the pack "
            "stays light.",
            "Reserve beds in spring; by July the popular huts are full. Bring "
            "cash, a sleeping-bag liner and a head torch.",
        ),
    ),
    Article(
        "kyoto-off-season",
        "travel",
        "Kyoto in February: temples without the crowds",
        "Aiko Tanaka",
        "Cold mornings, plum blossoms and empty gardens.",
        (
            "February is Kyoto's quiet month. The moss gardens are green under "
            "frost and the plum trees at Kitano Tenmangu open before the "
            "cherries steal the show.",
            "Stay near Gion and walk everywhere early; by ten the buses fill "
            "with school trips even in winter.",
        ),
    ),
    Article(
        "weeknight-ramen",
        "food",
        "Weeknight ramen in thirty minutes",
        "Kenji Mori",
        "A quick broth that tastes like it simmered all day.",
        (
            "The trick is a concentrated tare: soy, mirin and a spoon of miso "
            "whisked into hot chicken stock. It carries the flavour the long "
            "broth would.",
            "Soft-boil the eggs for six and a half minutes, then marinate them "
            "in the tare while the noodles cook.",
        ),
    ),
    Article(
        "sourdough-for-beginners",
        "food",
        "Sourdough for beginners: the only schedule you need",
        "Clara Dupont",
        "Feed in the morning, bake the next day, no alarm clock.",
        (
            "Feed the starter at breakfast and mix the dough after work. A cold "
            "night in the fridge does the shaping's hard work for you.",
            "Bake straight from the fridge in a lidded pot: twenty minutes "
            "covered, twenty-five uncovered, and let it cool before cutting.",
        ),
    ),
    Article(
        "one-pan-autumn-dinners",
        "food",
        "Five one-pan dinners for autumn evenings",
        "Sam Okafor",
        "Roast squash, crisp chickpeas and less washing up.",
        (
            "A hot oven and one large tray turn squash, red onion and chickpeas "
            "into dinner while you do something else.",
            "Finish every tray with something sharp: lemon, yoghurt or a "
            "spoon of chilli crisp.",
        ),
    ),
    Article(
        "home-espresso-guide",
        "tech",
        "Choosing a home espresso machine without regrets",
        "Lena Novak",
        "Single boiler, heat exchanger or dual boiler, explained.",
        (
            "A single boiler makes excellent espresso but waits between shot "
            "and steam. If you drink milk drinks every morning, that wait adds "
            "up.",
            "Spend on the grinder first. A good grinder with a modest machine "
            "beats the reverse every time.",
        ),
    ),
    Article(
        "mesh-wifi-explained",
        "tech",
        "Mesh Wi-Fi explained: do you need it?",
        "Raj Patel",
        "When one router is enough, and when it is not.",
        (
            "Thick walls and long houses defeat a single router. Mesh systems "
            "place several units that hand your devices from one to the next.",
            "Wire the units together with Ethernet where you can; the wireless "
            "backhaul halves the speed at every hop.",
        ),
    ),
    Article(
        "small-balcony-garden",
        "home",
        "A small balcony garden that survives August",
        "Noor Haddad",
        "Herbs, tomatoes and the watering trick that saves them.",
        (
            "Choose deep pots: shallow ones dry out in an afternoon. Rosemary, "
            "thyme and cherry tomatoes forgive the heat best.",
            "Water in the evening and mulch the surface with gravel or bark so "
            "the soil keeps what you give it.",
        ),
    ),
    Article(
        "declutter-one-weekend",
        "home",
        "Declutter a flat in one weekend",
        "Emma Lindqvist",
        "A room at a time, three boxes and no second-guessing.",
        (
            "Work room by room with three boxes: keep, give away, recycle. "
            "Anything you hesitate over for more than ten seconds goes in a "
            "fourth box with a date on it.",
            "Book the charity pickup before you start. A deadline is what gets "
            "the boxes out of the hallway.",
        ),
    ),
)
