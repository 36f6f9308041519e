"""Timeline keys and models: text order of event keys is time order; events name their contacts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.platform.storage import keys
from shared.timeline import service
from shared.timeline.models import TimelineContact, TimelineEvent

AT = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)


def test_the_partition_names_the_tenant_and_the_identifier() -> None:
    assert keys.timeline_pk(7, "phone", "+919876543210") == "TENANT#7#CONTACT#phone:+919876543210"


def test_event_keys_sort_by_time_whatever_the_offset_they_were_written_with() -> None:
    # Given the same instant written in IST, and a later UTC instant
    ist = AT.astimezone(timezone(timedelta(hours=5, minutes=30)))
    later = AT + timedelta(microseconds=1)

    # Then the keys compare as the instants do
    assert keys.timeline_event_sk(ist, "a") == keys.timeline_event_sk(AT, "a")
    assert keys.timeline_event_sk(AT, "z") < keys.timeline_event_sk(later, "a")


def test_an_event_at_the_before_instant_is_not_before_it() -> None:
    assert not keys.timeline_event_sk(AT, "x") < keys.timeline_before_sk(AT)
    assert keys.timeline_event_sk(AT - timedelta(microseconds=1), "x") < keys.timeline_before_sk(AT)


def test_a_contact_lists_its_identifiers_with_the_email_lower_cased() -> None:
    contact = TimelineContact(phone="+919876543210", email=" Ana@Example.COM ", user_id=None)

    assert contact.identifiers() == [("phone", "+919876543210"), ("email", "ana@example.com")]


def test_a_dnc_event_is_filed_under_the_number() -> None:
    event = service.dnc_event(3, "+919876543210", "removed", actor="user:u1", at=AT)

    assert (event.kind, event.tenant_id, event.contact.phone, event.at) == ("dnc", 3, "+919876543210", AT)
    assert event.payload["action"] == "removed" and "removed from" in event.summary


def test_recording_an_event_of_another_tenant_is_refused() -> None:
    event = service.dnc_event(3, "+919876543210", "added", at=AT)

    with pytest.raises(ValueError, match="another tenant"):
        service.record(4, event)


def test_recording_an_event_without_a_contact_is_refused() -> None:
    event = TimelineEvent(id="tle_1", tenant_id=3, at=AT, kind="call", contact=TimelineContact())

    with pytest.raises(ValueError, match="no contact"):
        service.record(3, event)
