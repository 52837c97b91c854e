import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"email": "a@x.com", "company": "Acme\\ud800"}', "lone surrogate"),
        ('{"email": "a@x.com", "custom_fields": {"k\\u0000": "v"}}', "NUL"),
        ('{"email": "a@x.com", "title": "M\\u00fcller \\uDABC"}', "lone surrogate"),
    ],
)
def test_json_that_is_not_storable_text_is_a_400_not_a_500(tenant, api_client_for, raw, message):
    response = api_client_for(tenant).post(
        "/api/v1/leads/", data=raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_escaped_text_that_is_storable_is_taken(tenant, api_client_for):
    raw = '{"email": "a@x.com", "title": "M\\u00fcller \\ud83d\\ude00", "company": "\\\\u0000"}'
    response = api_client_for(tenant).post(
        "/api/v1/leads/", data=raw, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["title"] == "M\u00fcller \U0001f600"
    assert response.json()["company"] == "\\u0000"


def test_bulk_with_a_lone_surrogate_is_a_400(tenant, api_client_for):
    raw = '[{"email": "a@x.com"}, {"email": "b@x.com", "title": "\\udacd"}]'
    response = api_client_for(tenant).post(
        "/api/v1/leads/bulk/", data=raw, content_type="application/json"
    )
    assert response.status_code == 400
