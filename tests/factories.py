import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from tracker import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")


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

    item = factory.SubFactory(CoverageItemFactory)
    debate = factory.SubFactory(DebateFactory)
    score = 1.0
