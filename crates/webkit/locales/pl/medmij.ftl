# MedMij: a PGO (app) fetches the GP data with the patient's consent.

nav-apps = Aplikacje z dostępem
medmij-title = Zgoda dla Twojej aplikacji
medmij-statement = Chcesz, aby aplikacja { $name } pobrała Twoje dane z przychodni { $title }. Czy wyrażasz na to zgodę?
medmij-what = Aplikacja dostanie kopię tego, co widzisz też w portalu: Twoje choroby i dolegliwości, ustalenia dotyczące leków, alergie, wyniki badań i notatki z Twoich kontaktów z przychodnią.
medmij-not-what = Aplikacja nie dostanie osobistych notatek lekarza rodzinnego ani danych, które przychodnia ukryła.
medmij-revoke-later = Zgodę możesz zawsze później wycofać w portalu, w części „Aplikacje z dostępem”.
medmij-client = Ta aplikacja przedstawia się jako:
medmij-how-long = Jak długo aplikacja może pobierać Twoje dane?
medmij-once = Tylko teraz
medmij-3-months = 3 miesiące
medmij-12-months = 12 miesięcy
medmij-yes = Tak, wyrażam zgodę
medmij-no = Nie, anuluj
medmij-unknown-client = Tej aplikacji nie ma na liście aplikacji, które mogą pobierać dane (MedMij). Nic nie zostało udostępnione.
medmij-bad-redirect = Prośba aplikacji jest nieprawidłowa (adres powrotny nie należy do tej aplikacji). Nic nie zostało udostępnione.
medmij-no-request = Nie ma prośby od aplikacji, na którą można odpowiedzieć. Zacznij od nowa w swojej aplikacji.
medmij-no-record = Nie możemy udostępnić Twoich danych aplikacji. Być może nie należysz do pacjentów tej przychodni albo przychodnia (jeszcze) nie zapisała, że chcesz pobierać swoje dane przez aplikację. Skontaktuj się z przychodnią.
medmij-error-next = Możesz zamknąć to okno i wrócić do swojej aplikacji.
apps-title = Aplikacje z dostępem
apps-intro = Te aplikacje mogą pobierać Twoje dane, ponieważ mają na to Twoją zgodę. Jeśli wycofasz zgodę, aplikacja od razu nie będzie mogła już niczego pobrać.
apps-whose = Poniżej są aplikacje, które mają od Ciebie dostęp do Twojej własnej dokumentacji. Nie mogą one zaglądać do dokumentacji osoby: { $name }. Na tej stronie możesz dać aplikacji dostęp tylko do swojej własnej dokumentacji.
apps-none = Żadna aplikacja nie ma dostępu do Twoich danych.
apps-until = dostęp do { $date } włącznie
apps-revoke = Wycofaj zgodę
apps-revoked = Zgoda została wycofana. Aplikacja nie może już pobierać Twoich danych.
