import pytest
from django.core.exceptions import ValidationError

from offers.macros import fill, validate_url_template


def test_both_spellings_of_a_macro_are_filled():
    url = fill("https://x.example/?a={aff_sub}&b=<aff_sub>", {"aff_sub": "v"})
    assert url == "https://x.example/?a=v&b=v"


def test_hostile_values_are_percent_encoded():
    url = fill("https://x.example/p?s={aff_sub}", {"aff_sub": "a b&c=d#e/é"})
    assert url == "https://x.example/p?s=a%20b%26c%3Dd%23e%2F%C3%A9"


def test_an_unknown_macro_is_refused_with_the_list_of_known_ones():
    with pytest.raises(ValidationError) as error:
        validate_url_template("https://x.example/?a={nope}")
    assert "nope" in str(error.value)
    assert "transaction_id" in str(error.value)


def test_a_macro_in_the_host_name_is_refused():
    with pytest.raises(ValidationError):
        validate_url_template("https://{aff_sub}.example/")


def test_a_template_that_is_not_http_is_refused():
    with pytest.raises(ValidationError):
        validate_url_template("javascript:alert(1)//{transaction_id}")
