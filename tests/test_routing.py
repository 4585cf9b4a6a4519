import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/teams/0",
        "/teams/-1",
        "/teams/abc",
        "/teams/99999999999999999999",
        "/teams/2147483648",
        "/collaboratives/99999999999999999999/edit",
        "/admin/users/99999999999999999999",
    ],
)
def test_malformed_or_out_of_range_ids_are_not_found_rather_than_errors(world, sign_in, path):
    client = sign_in(world.admin)
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
