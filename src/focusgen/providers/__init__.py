"""Provider conventions: id formats, tag styles, invoice ids."""
