from accounts.collation import vi_sort_key


def test_vietnamese_alphabetical_order():
    names = ["Đỗ Mạnh Cường", "Dương Văn An", "Ân", "Ăn", "An", "Hạ", "Há", "Hà", "Ha", "Ương", "Uyên", "Ôn", "Ơn", "Oanh", "Ðức"]
    assert sorted(names, key=vi_sort_key) == [
        "An", "Ăn", "Ân", "Dương Văn An", "Đỗ Mạnh Cường", "Ðức", "Ha", "Hà", "Há", "Hạ", "Oanh", "Ôn", "Ơn", "Uyên", "Ương",
    ]  # fmt: skip
