import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from tracker import models
from tracker.roles import EDITOR


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(self, create, group_name):
        """UserFactory(role=EDITOR): a user in one of the desk's groups (tracker.roles)."""
        if create and group_name:
            self.groups.add(Group.objects.get(name=group_name))


def second_editor():
    """Another editor at the desk, for what two editors do at once."""
    return UserFactory(username="second-editor", role=EDITOR)


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Outlet

    name = factory.Sequence(lambda n: f"Outlet {n}")
    domain = factory.Sequence(lambda n: f"outlet{n}.example")


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Actor

    kind = models.Actor.Kind.ORGANIZATION
    name = factory.Sequence(lambda n: f"Actor {n}")
    slug = factory.Sequence(lambda n: f"actor-{n}")


class CountryFactory(ActorFactory):
    kind = models.Actor.Kind.COUNTRY
    country = "EE"


class DebateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Debate

    title = factory.Sequence(lambda n: f"Debate {n}")
    slug = factory.Sequence(lambda n: f"debate-{n}")
    question = "How hard should allies respond?"
    low_label = "conservative"
    high_label = "more aggressive"
    status = models.Debate.Status.ACTIVE


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Proposal

    debate = factory.SubFactory(DebateFactory)
    title = factory.Sequence(lambda n: f"Proposal {n}")
    slug = factory.Sequence(lambda n: f"proposal-{n}")
    rung = 1


class PositionFactory(factory.django.DjangoModelFactory):
    """A published position on the debate as a whole, unless told otherwise."""

    class Meta:
        model = models.Position

    actor = factory.SubFactory(ActorFactory)
    debate = factory.SubFactory(DebateFactory)
    stance = 1
    summary = "Wants a firmer answer."
    stated_on = datetime.date(2025, 10, 9)
    status = models.Position.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        # PositionFactory(draft=True), PositionFactory(retracted=True)
        draft = factory.Trait(status=models.Position.Status.DRAFT, published_at=None)
        retracted = factory.Trait(
            status=models.Position.Status.RETRACTED,
            retracted_at=factory.LazyFunction(timezone.now),
            retraction_reason="Misattributed quote",
        )


class FeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Feed

    url = factory.Sequence(lambda n: f"https://feeds{n}.example/rss.xml")
    outlet = factory.SubFactory(OutletFactory)


class CoverageItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CoverageItem

    canonical_url = factory.Sequence(lambda n: f"https://news.example/story/{n}")
    url = factory.SelfAttribute("canonical_url")
    title = factory.Sequence(lambda n: f"Story {n}")
    outlet = factory.SubFactory(OutletFactory)
    published_at = factory.LazyFunction(timezone.now)


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Evidence

    position = factory.SubFactory(PositionFactory)
    item = factory.SubFactory(CoverageItemFactory)
    attribution = models.Evidence.Attribution.ON_RECORD
    quote = "We must raise the cost."


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Flag
        skip_postgeneration_save = True

    item = factory.SubFactory(CoverageItemFactory)
    debate = factory.SubFactory(DebateFactory)
    score = 1.0

    @factory.post_generation
    def matched_actors(self, create, actors):
        """FlagFactory(matched_actors=[…]): the actors the matcher found named."""
        if create and actors:
            self.matched_actors.set(actors)


def airspace_flag(article, **item_fields):
    """The accept screen's usual case: a wire story citing the FT, flagged for the
    airspace debate (Russia its subject) with Poland, France and Russia named, and
    a stance suggested from Poland "pushing for" more."""
    poland = CountryFactory(slug="poland", name="Poland", country="PL", aliases=["Warsaw"])
    france = CountryFactory(slug="france", name="France", country="FR")
    russia = CountryFactory(slug="russia", name="Russia", country="RU", aliases=["Kremlin"])
    debate = DebateFactory(slug="airspace", title="NATO's answer to Russian airspace violations")
    debate.subjects.set([russia])
    item = CoverageItemFactory(
        title="Allies split over an answer to Russian drones",
        outlet=OutletFactory(name="Example Wire"),
        cited_outlet=OutletFactory(name="Financial Times", aliases=["FT"]),
        content=article,
        **item_fields,
    )
    return FlagFactory(
        item=item, debate=debate, score=5, matched_terms=["drone*", "@russia"],
        suggested_stance=1, stance_reasons=[{"cue": "pushing for", "direction": 1}],
        matched_actors=[poland, france, russia],
    )  # fmt: skip


def ready_draft(**fields):
    """A draft position with a piece of evidence: what a publisher may publish."""
    position = PositionFactory(draft=True, **fields)
    EvidenceFactory(position=position)
    return position
