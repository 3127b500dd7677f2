"""The one shape of each public record: the API, the JSON exports and the CSV
(which flattens the same data) all serialise through these."""

from django.db.models import Prefetch
from rest_framework import serializers

from ..models import Actor, DataRelease, Debate, Evidence, Position, Proposal
from ..models.common import public_address
from ..public import releases
from ..public.links import site_url


class ActorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "country", "aliases", "wikidata_id", "description"]


class ProposalSerializer(serializers.ModelSerializer):
    debate = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Proposal
        # A slug names an option within its debate only; the id is its address
        # in the API (/proposals/{id}/).
        fields = ["id", "slug", "debate", "title", "rung", "description"]


class DebateSerializer(serializers.ModelSerializer):
    proposals = ProposalSerializer(many=True, read_only=True)

    class Meta:
        model = Debate
        fields = [
            "slug", "title", "question", "summary", "low_label", "high_label", "status",
            "proposals",
        ]  # fmt: skip


class EvidenceSerializer(serializers.ModelSerializer):
    outlet = serializers.SerializerMethodField()
    cited_outlet = serializers.CharField(source="cited_outlet.name", default=None, read_only=True)
    source_url = serializers.SerializerMethodField()
    source_title = serializers.CharField(source="item.title", default=None, read_only=True)
    attribution_chain = serializers.CharField(read_only=True)
    source_published_at = serializers.DateTimeField(
        source="item.published_at", default=None, read_only=True
    )
    on_record = serializers.BooleanField(source="is_on_record", read_only=True)
    position = serializers.IntegerField(source="position_id", read_only=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "position",
            "attribution",
            "attribution_chain",
            "on_record",
            "quote",
            "speaker",
            "source_count",
            "source_affiliation",
            "cited_outlet",
            "outlet",
            "source_url",
            "source_title",
            "source_published_at",
        ]

    def get_outlet(self, evidence) -> str | None:
        item = evidence.item
        return item.outlet.name if item and item.outlet else None

    def get_source_url(self, evidence) -> str:
        """Empty for a source on the desk's own network, as the pages leave it unlinked."""
        return public_address(evidence.item.url if evidence.item else evidence.url)

    @staticmethod
    def fetch(evidence):
        """The evidence with all this serializer reads, in one query."""
        return evidence.select_related("item__outlet", "cited_outlet")


class PositionSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    actor_name = serializers.CharField(source="actor.name", read_only=True)
    actor_kind = serializers.CharField(source="actor.kind", read_only=True)
    actor_country = serializers.CharField(source="actor.country", read_only=True)
    debate = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    proposal = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    proposal_title = serializers.CharField(source="proposal.title", default=None, read_only=True)
    proposal_rung = serializers.IntegerField(source="proposal.rung", default=None, read_only=True)
    stance_label = serializers.SerializerMethodField()
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Position
        fields = [
            "id",
            "actor",
            "actor_name",
            "actor_kind",
            "actor_country",
            "debate",
            "proposal",
            "proposal_title",
            "proposal_rung",
            "stance",
            "stance_label",
            "support",
            "summary",
            "stated_on",
            "status",
            "published_at",
            "retraction_reason",
            "retracted_at",
            "correction_note",
            "corrected_at",
            "evidence",
        ]

    def get_stance_label(self, position) -> str | None:
        return position.stance_label if position.stance is not None else None

    @staticmethod
    def fetch(positions):
        """The positions with all this serializer reads, in a fixed number of queries."""
        evidence = EvidenceSerializer.fetch(Evidence.objects.public())
        return positions.select_related("actor", "debate", "proposal").prefetch_related(
            Prefetch("evidence", queryset=evidence)
        )


class ShiftSideSerializer(serializers.Serializer):
    """One side of a shift: the position before or after the move."""

    id = serializers.IntegerField()
    stance = serializers.IntegerField(allow_null=True)
    stance_label = serializers.SerializerMethodField()
    support = serializers.CharField(allow_blank=True)
    stated_on = serializers.DateField()

    def get_stance_label(self, position) -> str | None:
        return position.stance_label if position.stance is not None else None


class ShiftSerializer(serializers.Serializer):
    """A shift as the debate and actor pages tell it (models/shifts.py)."""

    rating = serializers.CharField(help_text="Full flop, Half flip, Firmed up or Softened.")
    sentence = serializers.CharField()
    actor = serializers.CharField(source="after.actor.slug")
    debate = serializers.CharField(source="after.debate.slug")
    proposal = serializers.CharField(source="after.proposal.slug", default=None)
    before = ShiftSideSerializer()
    after = ShiftSideSerializer()


class DataReleaseSerializer(serializers.ModelSerializer):
    """A data release: its frozen files by address, its citation and changelog."""

    url = serializers.SerializerMethodField()
    identifier = serializers.SerializerMethodField()
    citation = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()
    changelog = serializers.SerializerMethodField()

    class Meta:
        model = DataRelease
        fields = [
            "number",
            "identifier",
            "url",
            "cut_at",
            "note",
            "doi",
            "citation",
            "debate_count",
            "position_count",
            "actor_count",
            "files",
            "changelog",
        ]

    def get_url(self, release) -> str:
        return site_url(releases.release_path(release.number))

    def get_identifier(self, release) -> str:
        return releases.identifier(release)

    def get_citation(self, release) -> str:
        return releases.citation(release)

    def get_changelog(self, release) -> dict:
        """What changed since the previous release, by kind; a first release
        lists nothing and says that everything in it is new."""
        return {**release.changelog, "everything_new": not release.changelog.get("previous")}

    def get_files(self, release) -> dict[str, str]:
        return {name: site_url(releases.file_path(release.number, name)) for name in releases.FILES}
