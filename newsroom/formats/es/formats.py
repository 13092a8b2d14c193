"""Spanish as a US newsroom writes it: Django's `es` formats, but with the US decimal point and
thousands comma (as in Mexico, Puerto Rico and US Spanish media) and the 12-hour clock readers
in South Florida read in their local Spanish press ("30 de noviembre de 2026, 1:38 p. m.")."""

DATE_FORMAT = r"j \d\e F \d\e Y"
TIME_FORMAT = "g:i a"
DATETIME_FORMAT = r"j \d\e F \d\e Y, g:i a"
YEAR_MONTH_FORMAT = r"F \d\e Y"
MONTH_DAY_FORMAT = r"j \d\e F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y g:i a"
FIRST_DAY_OF_WEEK = 0  # Sunday, as US calendars show it
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
