# The PGO: a person's own health environment (issue 19). Polish at level B1; called "konto zdrowia" (health account).
pgo-title = Moje konto zdrowia
pgo-intro = Tutaj zbierasz w jednym miejscu swoje dane o zdrowiu od lekarza rodzinnego i innych placówek medycznych. To Ty decydujesz, które placówki połączysz. Tylko Ty widzisz swoje dane.
pgo-welcome = Witaj, { $name }.
pgo-login = Zaloguj się
pgo-nav = Menu Twojego konta zdrowia
pgo-nav-home = Moje połączenia
pgo-nav-data = Moje dane
pgo-nav-providers = Dodaj placówkę medyczną
pgo-nav-log = Co się wydarzyło
pgo-signup-title = Załóż swoje konto zdrowia
pgo-signup-point-1 = Pobierasz swoje dane z placówek medycznych, które należą do systemu MedMij.
pgo-signup-point-2 = Twoje dane są przechowywane w formie zaszyfrowanej. Nie zaglądamy do nich i nikomu ich nie przekazujemy.
pgo-signup-point-3 = W każdej chwili możesz usunąć wszystko za jednym razem.
pgo-signup-agree = Po przeczytaniu tych informacji chcę założyć konto zdrowia.
pgo-signup-button = Załóż
pgo-connections = Twoje placówki medyczne
pgo-no-connections = Nie masz jeszcze połączonej żadnej placówki medycznej. Aby zacząć, wybierz „Dodaj placówkę medyczną”.
pgo-connection-active = połączona
pgo-connection-ended = połączenie zakończone
pgo-last-fetch = Ostatnio pobrano
pgo-fetch = Pobierz ponownie
pgo-withdraw = Wycofaj zgodę
pgo-connect-again = Połącz ponownie
pgo-delete-source = Usuń dane pochodzące z tej placówki
pgo-add-provider = Dodaj placówkę medyczną
pgo-delete-account-title = Usuń wszystko
pgo-delete-account-text = Możesz za jednym razem usunąć swoje konto zdrowia i wszystkie dane w nim. Twoje zgody w placówkach medycznych też zostaną wtedy wycofane. Tego nie da się cofnąć.
pgo-delete-account-confirm = Tak, usuń wszystko.
pgo-delete-account-button = Usuń wszystko
pgo-notice-denied = Zgoda nie została wyrażona. Nic nie zostało pobrane.
pgo-notice-failed = Połączenie się nie udało. Spróbuj ponownie później. Jeśli nadal się nie uda, skontaktuj się z placówką medyczną.
pgo-notice-withdrawn = Twoja zgoda została wycofana. Dane, które zostały już pobrane, zostają tutaj, dopóki ich nie usuniesz.
pgo-notice-source-deleted = Dane pochodzące z tej placówki medycznej zostały usunięte.
pgo-notice-expired = Łączenie trwało za długo. Zacznij od nowa.
pgo-fetch-none = Z placówki { $name } nic nie zostało pobrane.
pgo-fetch-complete = Pobrano wszystko. Nowe lub zmienione: { $count }.
pgo-fetch-partial = Pobrano część danych. Nowe lub zmienione: { $count }.
pgo-failed = Nie udało się pobrać danych ({ $what }) z placówki { $name }:
pgo-why-no-answer = placówka medyczna nie odpowiada. Spróbuj ponownie później.
pgo-why-consent = Twoja zgoda wygasła lub została wycofana. Połącz placówkę ponownie.
pgo-why-not-offered = ta placówka medyczna nie udostępnia tych danych.
pgo-why-fault = w placówce medycznej wystąpiła awaria. Spróbuj ponownie później.
pgo-why-unreadable = placówka medyczna wysłała dane, których nie umiemy odczytać. Jeśli to się powtarza, skontaktuj się z placówką.
pgo-why-not-whitelisted = tej placówki nie ma na liście MedMij. Nic z niej nie pobieramy.
pgo-q-patient = dane o Tobie i Twoim lekarzu rodzinnym
pgo-q-episodes = problemy zdrowotne
pgo-q-medication = leki
pgo-q-allergies = alergie
pgo-q-results = wyniki badań
pgo-q-journal = notatki z Twoich wizyt
pgo-q-encounters = wizyty w przychodni
pgo-q-documents = listy i dokumenty
pgo-providers-title = Dodaj placówkę medyczną
pgo-search-label = Nazwa placówki medycznej
pgo-search = Szukaj
pgo-lists-missing = Lista placówek medycznych jest teraz niedostępna. Spróbuj ponownie później.
pgo-no-providers = Nie znaleziono placówki medycznej o tej nazwie.
pgo-connect = Połącz
pgo-data-title = Moje dane
pgo-data-intro = Tutaj są razem dane ze wszystkich Twoich placówek medycznych. Przy każdej informacji widać, skąd pochodzi. Jeśli dwie placówki podają to samo, widzisz to tylko raz.
pgo-data-empty = Nie pobrano jeszcze żadnych danych.
pgo-data-unreadable = Nie możemy jeszcze pokazać danych z placówki { $name }: Twoje dane osobowe nie zostały tam jeszcze pobrane. Wybierz „Pobierz ponownie”.
pgo-section-problems = Problemy zdrowotne
pgo-section-medication = Leki, które teraz przyjmujesz
pgo-section-allergies = Alergie
pgo-section-results = Wyniki badań
pgo-section-documents = Listy i dokumenty
pgo-section-empty = Nic nie wiadomo.
pgo-inactive = już nieaktywne
pgo-seen-at = Źródło
pgo-log-intro = Tutaj widzisz, co działo się z Twoim kontem zdrowia: logowanie, łączenie, pobieranie i wycofywanie zgody.
pgo-log-login = Zalogowano
pgo-log-account-created = Założono konto zdrowia
pgo-log-connect = Połączono z placówką
pgo-log-fetch = Pobrano dane z placówki
pgo-log-fetch-partial = Pobrano część danych z placówki
pgo-log-withdraw = Wycofano zgodę dla placówki
pgo-log-delete-source = Usunięto dane pochodzące z placówki

## What the person adds themselves, and sending measurements (data service 52)
pgo-nav-own = Dodaj własne dane
pgo-own-title = Dodaj własne dane
pgo-own-intro = Tutaj samodzielnie dodajesz do swojego konta zdrowia pomiary, leki bez recepty i notatki. Są one widoczne przy Twoich danych z oznaczeniem „wpisane przez Ciebie”. Pomiary możesz wysłać do swojej placówki medycznej.
pgo-own-measure = Dodaj pomiar
pgo-own-kind = Co zostało zmierzone?
pgo-own-value = Wynik
pgo-own-value-hint = Tylko liczba, na przykład 72,5 dla wagi w kilogramach albo 37,2 dla temperatury. Przy ciśnieniu krwi wpisz poniżej dwie liczby.
pgo-own-systolic = Ciśnienie górne (wyższa liczba)
pgo-own-diastolic = Ciśnienie dolne (niższa liczba)
pgo-own-date = Data
pgo-own-time = Godzina (jeśli ją znasz)
pgo-own-comment = Uwaga (nieobowiązkowa)
pgo-own-save = Zapisz
pgo-own-saved = Zapisano.
pgo-own-medicine = Lek bez recepty
pgo-own-medicine-name = Nazwa leku
pgo-own-medicine-dose = Ile i jak często
pgo-own-medicine-since = Od kiedy
pgo-own-note = Notatka
pgo-own-note-text = Twoja notatka
pgo-own-send-title = Wyślij pomiary do swojej placówki medycznej
pgo-own-send-none = Nie masz jeszcze połączonej placówki medycznej, która przyjmuje pomiary. Połącz swoją przychodnię lekarza rodzinnego dla usługi „Meetwaarden vitale functies” (pomiary funkcji życiowych).
pgo-own-send = { $count ->
    [one] Wyślij 1 nowy pomiar do placówki { $name }
    [few] Wyślij { $count } nowe pomiary do placówki { $name }
    [many] Wyślij { $count } nowych pomiarów do placówki { $name }
   *[other] Wyślij { $count } nowego pomiaru do placówki { $name }
}
pgo-own-sent = { $count ->
    [one] Wysłano 1 pomiar do placówki { $name }.
    [few] Wysłano { $count } pomiary do placówki { $name }.
    [many] Wysłano { $count } pomiarów do placówki { $name }.
   *[other] Wysłano { $count } pomiaru do placówki { $name }.
} Twoja placówka medyczna to sprawdzi.
pgo-own-not-sent = Pomiary nie zostały wysłane:
pgo-own-items = Twoje własne wpisy
pgo-own-sent-to = Wysłano do
pgo-own-delete = Usuń
pgo-own-source = wpisane przez Ciebie
pgo-own-err-kind = Wybierz, co zostało zmierzone. Nic nie zostało zapisane.
pgo-own-err-value = Wpisz liczbę (przy ciśnieniu krwi: ciśnienie górne jest wyższe niż dolne). Nic nie zostało zapisane.
pgo-own-err-range = Ta liczba nie może być prawidłowa dla tego pomiaru. Sprawdź, czy nie ma literówki. Nic nie zostało zapisane.
pgo-own-err-when = Wpisz prawidłową datę, a godzinę w formacie gg:mm. Nic nie zostało zapisane.
pgo-own-err-future = Ta data jest w przyszłości. Nic nie zostało zapisane.
pgo-own-err-name = Wpisz nazwę leku. Nic nie zostało zapisane.
pgo-own-err-text = Wpisz tekst, który ma najwyżej 1000 znaków. Nic nie zostało zapisane.
pgo-own-err-nothing = Nie ma nowych pomiarów do wysłania.
pgo-why-refused = placówka medyczna nie przyjęła pomiarów. Jeśli to się powtarza, skontaktuj się z placówką.
pgo-q-measurements = pomiary
pgo-section-measurements = Pomiary
pgo-section-notes = Moje notatki
pgo-log-own-add = Dodano własny wpis
pgo-log-own-delete = Usunięto własny wpis
pgo-log-send = Wysłano pomiary do placówki

## Share links (R126)
pgo-nav-share = Udostępnij
pgo-share-title = Udostępnij pracownikowi medycznemu
pgo-share-intro = Utwórz link, dzięki któremu pracownik medyczny może przez krótki czas czytać część Twoich danych. Ta osoba potrzebuje też kodu. Przekaż link i kod osobno, na przykład link e-mailem, a kod przez telefon. Tutaj widzisz, ile razy link został otwarty, i w każdej chwili możesz go od razu wyłączyć.
pgo-share-new = Nowy link
pgo-share-for = Dla kogo jest link?
pgo-share-parts = Jakie dane może czytać pracownik medyczny?
pgo-share-period = Jak długo link ma działać?
pgo-share-1h = 1 godzina
pgo-share-1d = 1 dzień
pgo-share-3d = 3 dni
pgo-share-7d = 1 tydzień
pgo-share-30d = 30 dni
pgo-share-create = Utwórz link
pgo-share-made = Twój link jest gotowy
pgo-share-link = Wyślij ten link pracownikowi medycznemu:
pgo-share-code = Kod:
pgo-share-apart = Kod widzisz tylko teraz. Przekaż go osobno, nie razem z linkiem.
pgo-share-links = Twoje linki
pgo-share-none = Nie masz jeszcze żadnych linków.
pgo-share-until = Działa do
pgo-share-openings = Liczba otwarć:
pgo-share-open = działa
pgo-share-expired = wygasł
pgo-share-revoked = wyłączony
pgo-share-revoke = Wyłącz
pgo-share-err-label = Napisz, dla kogo jest link (najwyżej 100 znaków). Link nie został utworzony.
pgo-share-err-parts = Wybierz, jakie dane może czytać pracownik medyczny. Link nie został utworzony.
pgo-share-err-period = Wybierz, jak długo link ma działać. Link nie został utworzony.
pgo-shared-title = Udostępnione dane
pgo-shared-intro = Ktoś udostępnił Ci dane. Wpisz kod, który przekazano Ci osobno.
pgo-shared-code = Kod
pgo-shared-open = Otwórz
pgo-share-err-code = Ten kod jest nieprawidłowy. Po pięciu błędnych kodach link przestaje działać.
pgo-shared-gone = Ten link (już) nie działa. Poproś tę osobę o nowy link.
pgo-shared-of = Dane osoby: { $name }
pgo-shared-readonly = Te dane możesz tylko czytać. Link działa do { $date }.
pgo-log-share = Utworzono link dla
pgo-log-share-open = Link otwarty przez
pgo-log-share-revoke = Wyłączono link dla
pgo-log-share-closed = Po pięciu błędnych kodach wyłączono link dla
pgo-shared-own-source = wpisane przez tę osobę
pgo-shared-part-problems = Problemy zdrowotne
pgo-shared-part-medication = Leki, które ta osoba teraz przyjmuje
pgo-shared-part-allergies = Alergie
pgo-shared-part-measurements = Pomiary
pgo-shared-part-results = Wyniki badań
pgo-shared-part-documents = Listy i dokumenty
pgo-shared-part-notes = Notatki tej osoby

## Timeline and course over time
pgo-data-views = Sposoby przeglądania Twoich danych
pgo-view-parts = Według tematu
pgo-view-timeline = Oś czasu
pgo-view-trends = Zmiany w czasie
pgo-timeline-title = Oś czasu
pgo-timeline-intro = Wszystko, co ma datę, od najnowszych, ze wszystkich Twoich placówek medycznych i z Twoich własnych wpisów.
pgo-timeline-undated = { $count ->
    [one] Jedna informacja nie ma daty. Znajdziesz ją w widoku „Według tematu”.
    [few] { $count } informacje nie mają daty. Znajdziesz je w widoku „Według tematu”.
    [many] { $count } informacji nie ma daty. Znajdziesz je w widoku „Według tematu”.
   *[other] { $count } informacji nie ma daty. Znajdziesz je w widoku „Według tematu”.
}
pgo-part-problems = Problem zdrowotny
pgo-part-medication = Lek
pgo-part-allergies = Alergia
pgo-part-measurements = Pomiar
pgo-part-results = Wynik badania
pgo-part-documents = List lub dokument
pgo-part-notes = Notatka
pgo-trends-title = Zmiany wyników i pomiarów w czasie
pgo-trends-intro = Jak zmieniają się Twoje wyniki i pomiary, ze wszystkich Twoich placówek medycznych razem. Wartość, którą przysyłają dwie placówki, pojawia się tylko raz. Pod każdym wykresem te same wartości są w tabeli.
pgo-trends-none = Nie ma jeszcze wyników ani pomiarów, które wykonano więcej niż raz.
pgo-trends-table = Wszystkie wartości: { $name }
pgo-trends-date = Data
pgo-trends-value = Wartość
pgo-trend-systolic = ciśnienie górne
pgo-trend-diastolic = ciśnienie dolne

## Ways to share
pgo-share-ways = Sposoby udostępniania
pgo-share-way-link = Link dla pracownika medycznego
pgo-share-way-family = Rodzina i bliscy
pgo-share-way-team = Zespół opieki

## Family
pgo-family-title = Daj wgląd rodzinie i bliskim
pgo-family-intro = Osoba, której ufasz i która ma własne konto zdrowia, może czytać część Twoich danych. Ta osoba nie może niczego zmienić. W każdej chwili możesz to zakończyć. W części „Co się wydarzyło” widzisz, kiedy ktoś przeglądał dane.
pgo-family-given = Kto ma wgląd w Twoje dane
pgo-family-given-none = Jeszcze nikt.
pgo-family-new = Zaproś kogoś
pgo-family-for = Kogo zapraszasz?
pgo-family-parts = Jakie dane może czytać ta osoba?
pgo-family-create = Utwórz zaproszenie
pgo-family-made = Twoje zaproszenie jest gotowe
pgo-family-code = Kod:
pgo-family-made-how = Kod widzisz tylko teraz. Przekaż go tej osobie osobiście. Ta osoba loguje się na swoje konto zdrowia, wybiera „Udostępnij”, a potem „Rodzina i bliscy” i wpisuje kod. Kod działa przez 7 dni i tylko jeden raz.
pgo-family-invited-until = zaproszenie utworzone, kod działa do { $date }
pgo-family-invite-expired = kod wygasł
pgo-family-reading-since = { $name } ma wgląd od { $date }
pgo-family-ended = zakończono
pgo-family-end = Zakończ
pgo-family-received = Czyje dane możesz przeglądać
pgo-family-received-none = Nie masz jeszcze wglądu w niczyje dane.
pgo-family-data-of = Dane osoby: { $name }
pgo-family-stop-reading = Zakończ wgląd
pgo-family-enter = Wpisz kod od innej osoby
pgo-family-enter-code = Kod
pgo-family-accept = Rozpocznij wgląd
pgo-family-read-note = { $name } pozwala Ci czytać te dane. Nie możesz niczego zmienić. { $name } widzi, kiedy je przeglądasz.
pgo-family-back = Wróć do części „Rodzina i bliscy”
pgo-family-notice-ended = Wgląd został zakończony.
pgo-family-err-label = Napisz, kogo zapraszasz (najwyżej 100 znaków). Zaproszenie nie zostało utworzone.
pgo-family-err-parts = Wybierz, jakie dane może czytać ta osoba. Zaproszenie nie zostało utworzone.
pgo-family-err-code = Ten kod nie działa. Sprawdź, czy został dobrze przepisany, albo poproś o nowy.
pgo-family-err-too-many = Za wiele razy wpisano błędny kod. Zaloguj się ponownie, aby spróbować jeszcze raz.
pgo-log-family-invite = Utworzono zaproszenie do wglądu dla
pgo-log-family-accepted = Wgląd rozpoczęty przez
pgo-log-family-joined = Masz teraz wgląd w dane osoby
pgo-log-family-read = Dane przeglądane przez
pgo-log-family-end = Zakończono wgląd dla
pgo-log-family-left = Wgląd zakończony przez
pgo-log-family-stopped = Nie masz już wglądu w dane osoby

## Care team
pgo-team-title = Zespół opieki
pgo-team-intro = Zbierz w jednym miejscu pracowników medycznych, którzy pomagają Ci w jednej chorobie. Każdy w zespole opieki czyta wybrane przez Ciebie dane, plan leczenia i wszystkie wiadomości. Jedną wiadomością informujesz wszystkich naraz. Możesz usunąć pracownika medycznego z zespołu albo zamknąć zespół opieki, kiedy chcesz.
pgo-team-yours = Twoje zespoły opieki
pgo-team-none = Nie masz jeszcze zespołu opieki.
pgo-team-new = Nowy zespół opieki
pgo-team-name = Czego dotyczy?
pgo-team-name-hint = Na przykład: „Moja skóra”. Widzisz to tylko Ty i pracownicy medyczni w zespole opieki.
pgo-team-parts = Jakie dane mogą czytać pracownicy medyczni?
pgo-team-create = Utwórz zespół opieki
pgo-team-closed = zamknięty
pgo-team-count-members = { $count ->
    [one] 1 pracownik medyczny
    [few] { $count } pracowników medycznych
    [many] { $count } pracowników medycznych
   *[other] { $count } pracownika medycznego
}
pgo-team-count-messages = { $count ->
    [one] 1 wiadomość
    [few] { $count } wiadomości
    [many] { $count } wiadomości
   *[other] { $count } wiadomości
}
pgo-team-back = Wróć do swoich zespołów opieki
pgo-team-is-closed = Ten zespół opieki jest zamknięty. Linki już nie działają. Nadal możesz wszystko przeczytać.
pgo-team-made = Gotowy link dla: { $name }
pgo-team-shows = Dane, które czyta zespół opieki:
pgo-team-shows-nothing = żadne (tylko plan i wiadomości).
pgo-team-members = Pracownicy medyczni w tym zespole opieki
pgo-team-no-members = Jeszcze nikt. Zaproś pracownika medycznego.
pgo-team-opened = { $count ->
    [0] jeszcze nie otwarto
    [one] otwarto 1 raz
    [few] otwarto { $count } razy
    [many] otwarto { $count } razy
   *[other] otwarto { $count } raza
}
pgo-team-removed = usunięty z zespołu
pgo-team-remove = Usuń z zespołu opieki
pgo-team-who = Kogo zapraszasz? (na przykład: lekarz rodzinny, dermatolog)
pgo-team-invite = Utwórz link i kod
pgo-team-plan = Plan leczenia
pgo-team-plan-label = Plan (co się dzieje i kto co robi)
pgo-team-plan-save = Zapisz plan
pgo-team-no-plan = Nie ma jeszcze planu.
pgo-team-messages = Wiadomości
pgo-team-no-messages = Nie ma jeszcze wiadomości.
pgo-team-message = Twoja wiadomość do całego zespołu opieki
pgo-team-file = Zdjęcie lub PDF (nieobowiązkowe)
pgo-team-send = Wyślij do wszystkich
pgo-team-close-title = Zamknij zespół opieki
pgo-team-close-text = Po zamknięciu linki wszystkich pracowników medycznych przestaną działać. Wiadomości nadal będzie można potem przeczytać.
pgo-team-close = Zamknij zespół opieki
pgo-team-member-title = Zespół opieki
pgo-team-member-code-intro = Ktoś zaprasza Cię do zespołu opieki. Wpisz kod, który przekazano Ci osobno.
pgo-team-member-gone = Ten link (już) nie działa. Poproś tę osobę o nowy link.
pgo-team-member-intro = { $name } zaprasza Cię do tego zespołu opieki jako: { $role }. Możesz czytać dane i wysyłać wiadomości do wszystkich w zespole opieki. { $name } widzi, kiedy przeglądasz dane.
pgo-team-err-title = Napisz, czego dotyczy zespół opieki (najwyżej 100 znaków). Nic nie zostało utworzone.
pgo-team-err-who = Napisz, kogo zapraszasz (najwyżej 100 znaków). Link nie został utworzony.
pgo-team-err-plan = Plan jest za długi (najwyżej 5000 znaków). Nie został zapisany.
pgo-team-err-closed = Ten zespół opieki jest zamknięty. Nic nie zostało zmienione.
pgo-log-team-create = Utworzono zespół opieki
pgo-log-team-invite = Zaproszono do zespołu opieki
pgo-log-team-open = Zespół opieki otwarty przez
pgo-log-team-reply = Wiadomość w zespole opieki od
pgo-log-team-post = Wysłano wiadomość do zespołu opieki
pgo-log-team-plan = Zmieniono plan leczenia
pgo-log-team-remove = Usunięto z zespołu opieki
pgo-log-team-close = Zamknięto zespół opieki
pgo-log-team-link-closed = Po pięciu błędnych kodach wyłączono link w zespole opieki dla

## Documents
pgo-document-open = Otwórz
pgo-document-failed = Nie udało się otworzyć dokumentu:
pgo-log-document-open = Otwarto dokument z placówki

## Asking a provider about measurements
pgo-view-ask = Zapytaj o pomiary
pgo-ask-title = Zapytaj swoją placówkę medyczną o pomiary
pgo-ask-intro = Zapytaj placówkę medyczną, która przechowuje Twoje pomiary, jakie Twoje pomiary ma teraz. Odpowiedź zostanie też zapisana przy Twoich danych.
pgo-ask-none = Nie masz jeszcze połączonej placówki medycznej dla usługi „Meetwaarden vitale functies” (pomiary funkcji życiowych).
pgo-ask-where = W której placówce medycznej?
pgo-ask-what = Co chcesz wiedzieć?
pgo-ask-q1 = Wszystkie pomiary ciśnienia krwi
pgo-ask-q2 = Ostatni pomiar wagi
pgo-ask-q3 = Wszystkie pomiary cukru we krwi
pgo-ask-q4 = Wszystkie pomiary tętna
pgo-ask-q5 = Pomiary ciśnienia krwi w wybranym okresie
pgo-ask-q6 = Wszystkie pomiary w wybranym okresie
pgo-ask-q7 = Wszystkie pomiary funkcji życiowych
pgo-ask-period = Okres (tylko przy „w wybranym okresie”)
pgo-ask-from = Od
pgo-ask-to = Do (włącznie)
pgo-ask-button = Zapytaj
pgo-ask-answer = { $what } – { $name }
pgo-ask-nothing = Ta placówka medyczna nie ma żadnych Twoich danych tego rodzaju.
pgo-ask-failed = Zapytanie do placówki { $name } się nie udało:
pgo-ask-err-question = Wybierz, co chcesz wiedzieć. O nic nie zapytano.
pgo-ask-err-period = Wpisz okres: pierwsza data nie może być późniejsza niż druga. O nic nie zapytano.
pgo-log-ask = Zapytanie o pomiary do placówki
