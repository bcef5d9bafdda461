# The PGO: a person's own health environment (issue 19). B1 Dutch.
pgo-title = Mijn gezondheidsomgeving
pgo-intro = Hier verzamelt u uw gezondheidsgegevens van uw huisarts en andere zorgverleners op één plek. U bepaalt zelf welke zorgverleners u koppelt. Alleen u kunt uw gegevens zien.
pgo-welcome = Welkom, { $name }.
pgo-login = Inloggen
pgo-nav = Menu van uw gezondheidsomgeving
pgo-nav-home = Mijn koppelingen
pgo-nav-data = Mijn gegevens
pgo-nav-providers = Zorgverlener toevoegen
pgo-nav-log = Wat is er gebeurd
pgo-signup-title = Maak uw gezondheidsomgeving aan
pgo-signup-point-1 = U haalt uw gegevens op bij zorgverleners die aangesloten zijn bij MedMij.
pgo-signup-point-2 = Uw gegevens worden versleuteld bewaard. Wij kijken er niet in en geven ze aan niemand.
pgo-signup-point-3 = U kunt alles op elk moment in één keer verwijderen.
pgo-signup-agree = Ik heb dit gelezen en wil een gezondheidsomgeving.
pgo-signup-button = Aanmaken
pgo-connections = Uw zorgverleners
pgo-no-connections = U heeft nog geen zorgverlener gekoppeld. Kies "Zorgverlener toevoegen" om te beginnen.
pgo-connection-active = gekoppeld
pgo-connection-ended = niet meer gekoppeld
pgo-last-fetch = Laatst opgehaald
pgo-fetch = Opnieuw ophalen
pgo-withdraw = Toestemming intrekken
pgo-connect-again = Opnieuw koppelen
pgo-delete-source = Gegevens van deze zorgverlener verwijderen
pgo-add-provider = Zorgverlener toevoegen
pgo-delete-account-title = Alles verwijderen
pgo-delete-account-text = U kunt uw gezondheidsomgeving en alle gegevens erin in één keer verwijderen. Uw toestemmingen bij zorgverleners worden dan ook ingetrokken. Dit kunt u niet ongedaan maken.
pgo-delete-account-confirm = Ja, verwijder alles.
pgo-delete-account-button = Alles verwijderen
pgo-notice-denied = U heeft geen toestemming gegeven. Er is niets opgehaald.
pgo-notice-failed = Het koppelen is niet gelukt. Probeer het later opnieuw. Lukt het dan nog niet, neem dan contact op met de zorgverlener.
pgo-notice-withdrawn = Uw toestemming is ingetrokken. De gegevens die al zijn opgehaald, blijven hier tot u ze verwijdert.
pgo-notice-source-deleted = De gegevens van deze zorgverlener zijn verwijderd.
pgo-notice-expired = Het koppelen duurde te lang. Begin opnieuw.
pgo-fetch-none = Er is niets opgehaald bij { $name }.
pgo-fetch-complete = Alles is opgehaald. Nieuw of veranderd: { $count }.
pgo-fetch-partial = Een deel is opgehaald. Nieuw of veranderd: { $count }.
pgo-failed = De { $what } van { $name } konden niet worden opgehaald:
pgo-why-no-answer = de zorgverlener geeft geen antwoord. Probeer het later opnieuw.
pgo-why-consent = uw toestemming is verlopen of ingetrokken. Koppel de zorgverlener opnieuw.
pgo-why-not-offered = deze zorgverlener biedt deze gegevens niet aan.
pgo-why-fault = er is een storing bij de zorgverlener. Probeer het later opnieuw.
pgo-why-unreadable = de zorgverlener stuurde gegevens die wij niet kunnen lezen. Neem contact op met de zorgverlener als dit blijft gebeuren.
pgo-why-not-whitelisted = deze zorgverlener staat niet op de lijst van MedMij. Wij halen daar niets op.
pgo-q-patient = gegevens over uzelf en uw huisarts
pgo-q-episodes = gezondheidsproblemen
pgo-q-medication = medicijnen
pgo-q-allergies = allergieën
pgo-q-results = uitslagen
pgo-q-journal = verslagen van uw afspraken
pgo-q-encounters = afspraken met de praktijk
pgo-q-documents = brieven en documenten
pgo-providers-title = Zorgverlener toevoegen
pgo-search-label = Naam van de zorgverlener
pgo-search = Zoeken
pgo-lists-missing = De lijst van zorgverleners is nu niet beschikbaar. Probeer het later opnieuw.
pgo-no-providers = Geen zorgverlener gevonden met deze naam.
pgo-connect = Koppelen
pgo-data-title = Mijn gegevens
pgo-data-intro = Hier staan de gegevens van al uw zorgverleners bij elkaar. Bij elk gegeven staat waar het vandaan komt. Staat hetzelfde bij twee zorgverleners, dan ziet u het één keer.
pgo-data-empty = Er zijn nog geen gegevens opgehaald.
pgo-data-unreadable = De gegevens van { $name } kunnen we nog niet laten zien: uw persoonsgegevens zijn daar nog niet opgehaald. Kies "Opnieuw ophalen".
pgo-section-problems = Gezondheidsproblemen
pgo-section-medication = Medicijnen die u nu gebruikt
pgo-section-allergies = Allergieën
pgo-section-results = Uitslagen
pgo-section-documents = Brieven en documenten
pgo-section-empty = Niets bekend.
pgo-inactive = niet meer actief
pgo-seen-at = Gezien bij
pgo-log-intro = Hier ziet u wat er met uw gezondheidsomgeving is gebeurd: inloggen, koppelen, ophalen en intrekken.
pgo-log-login = Ingelogd
pgo-log-account-created = Gezondheidsomgeving aangemaakt
pgo-log-connect = Gekoppeld met
pgo-log-fetch = Gegevens opgehaald bij
pgo-log-fetch-partial = Een deel van de gegevens opgehaald bij
pgo-log-withdraw = Toestemming ingetrokken bij
pgo-log-delete-source = Gegevens verwijderd van

## What the person adds themselves, and sending measurements (data service 52)
pgo-nav-own = Zelf invoeren
pgo-own-title = Zelf invoeren
pgo-own-intro = Hier zet u zelf metingen, medicijnen zonder recept en notities in uw gezondheidsomgeving. Ze staan bij uw gegevens met "ingevoerd door uzelf". Metingen kunt u naar uw zorgverlener sturen.
pgo-own-measure = Meting toevoegen
pgo-own-kind = Wat heeft u gemeten?
pgo-own-value = Uitkomst
pgo-own-value-hint = Alleen het getal, bijvoorbeeld 72,5 voor uw gewicht in kilo of 37,2 voor uw temperatuur. Bij bloeddruk vult u hieronder de twee getallen in.
pgo-own-systolic = Bovendruk (het hoogste getal)
pgo-own-diastolic = Onderdruk (het laagste getal)
pgo-own-date = Datum
pgo-own-time = Tijd (als u die weet)
pgo-own-comment = Opmerking (niet verplicht)
pgo-own-save = Opslaan
pgo-own-saved = Opgeslagen.
pgo-own-medicine = Medicijn zonder recept
pgo-own-medicine-name = Naam van het medicijn
pgo-own-medicine-dose = Hoeveel en hoe vaak
pgo-own-medicine-since = Sinds wanneer
pgo-own-note = Notitie
pgo-own-note-text = Uw notitie
pgo-own-send-title = Metingen naar uw zorgverlener sturen
pgo-own-send-none = U heeft nog geen zorgverlener gekoppeld die metingen aanneemt. Koppel uw huisarts voor "Meetwaarden vitale functies".
pgo-own-send = { $count ->
    [one] Stuur 1 nieuwe meting naar { $name }
   *[other] Stuur { $count } nieuwe metingen naar { $name }
}
pgo-own-sent = { $count ->
    [one] 1 meting is verstuurd naar { $name }.
   *[other] { $count } metingen zijn verstuurd naar { $name }.
} Uw zorgverlener kijkt ernaar.
pgo-own-not-sent = De metingen zijn niet verstuurd:
pgo-own-items = Wat u zelf heeft ingevoerd
pgo-own-sent-to = Verstuurd naar
pgo-own-delete = Verwijderen
pgo-own-source = ingevoerd door uzelf
pgo-own-err-kind = Kies wat u heeft gemeten. Er is niets opgeslagen.
pgo-own-err-value = Vul een getal in (bij bloeddruk: de bovendruk is hoger dan de onderdruk). Er is niets opgeslagen.
pgo-own-err-range = Dit getal kan niet kloppen voor deze meting. Kijk of u een tikfout maakte. Er is niets opgeslagen.
pgo-own-err-when = Vul een geldige datum in, en de tijd als uu:mm. Er is niets opgeslagen.
pgo-own-err-future = Die datum ligt in de toekomst. Er is niets opgeslagen.
pgo-own-err-name = Vul de naam van het medicijn in. Er is niets opgeslagen.
pgo-own-err-text = Vul een tekst in van hoogstens 1000 tekens. Er is niets opgeslagen.
pgo-own-err-nothing = Er zijn geen nieuwe metingen om te versturen.
pgo-why-refused = de zorgverlener nam de metingen niet aan. Neem contact op met de zorgverlener als dit blijft gebeuren.
pgo-q-measurements = metingen
pgo-section-measurements = Metingen
pgo-section-notes = Mijn notities
pgo-log-own-add = Zelf iets ingevoerd
pgo-log-own-delete = Zelf iets verwijderd
pgo-log-send = Metingen verstuurd naar

## Share links (R126)
pgo-nav-share = Delen
pgo-share-title = Delen met een zorgverlener
pgo-share-intro = Maak een link waarmee een zorgverlener een deel van uw gegevens kan lezen, voor korte tijd. De zorgverlener heeft ook een code nodig. Geef de link en de code apart door, bijvoorbeeld de link per e-mail en de code aan de telefoon. U ziet hier hoe vaak de link is geopend, en u kunt hem altijd meteen stoppen.
pgo-share-new = Nieuwe link
pgo-share-for = Voor wie is de link?
pgo-share-parts = Welke gegevens mag de zorgverlener lezen?
pgo-share-period = Hoe lang werkt de link?
pgo-share-1h = 1 uur
pgo-share-1d = 1 dag
pgo-share-3d = 3 dagen
pgo-share-7d = 1 week
pgo-share-30d = 30 dagen
pgo-share-create = Link maken
pgo-share-made = Uw link is klaar
pgo-share-link = Stuur deze link naar de zorgverlener:
pgo-share-code = De code is:
pgo-share-apart = U ziet de code alleen nu. Geef hem apart van de link door.
pgo-share-links = Uw links
pgo-share-none = U heeft nog geen links gemaakt.
pgo-share-until = Werkt tot
pgo-share-openings = Aantal keer geopend:
pgo-share-open = werkt
pgo-share-expired = verlopen
pgo-share-revoked = gestopt
pgo-share-revoke = Stoppen
pgo-share-err-label = Schrijf voor wie de link is (hoogstens 100 tekens). Er is geen link gemaakt.
pgo-share-err-parts = Kies welke gegevens de zorgverlener mag lezen. Er is geen link gemaakt.
pgo-share-err-period = Kies hoe lang de link werkt. Er is geen link gemaakt.
pgo-shared-title = Gedeelde gegevens
pgo-shared-intro = Iemand heeft gegevens met u gedeeld. Vul de code in die u apart heeft gekregen.
pgo-shared-code = Code
pgo-shared-open = Openen
pgo-share-err-code = Deze code klopt niet. Na vijf foute codes werkt de link niet meer.
pgo-shared-gone = Deze link werkt niet (meer). Vraag de persoon om een nieuwe link.
pgo-shared-of = Gegevens van { $name }
pgo-shared-readonly = U kunt deze gegevens alleen lezen. De link werkt tot { $date }.
pgo-log-share = Link gemaakt voor
pgo-log-share-open = Link geopend door
pgo-log-share-revoke = Link gestopt voor
pgo-log-share-closed = Link gestopt na vijf foute codes voor
pgo-shared-own-source = ingevoerd door de persoon zelf
pgo-shared-part-problems = Gezondheidsproblemen
pgo-shared-part-medication = Medicijnen die de persoon nu gebruikt
pgo-shared-part-allergies = Allergieën
pgo-shared-part-measurements = Metingen
pgo-shared-part-results = Uitslagen
pgo-shared-part-documents = Brieven en documenten
pgo-shared-part-notes = Notities van de persoon

## Timeline and course over time
pgo-data-views = Manieren om uw gegevens te bekijken
pgo-view-parts = Per onderwerp
pgo-view-timeline = Tijdlijn
pgo-view-trends = Verloop
pgo-timeline-title = Tijdlijn
pgo-timeline-intro = Alles met een datum, het nieuwste eerst, van al uw zorgverleners en wat u zelf invoerde.
pgo-timeline-undated = { $count ->
    [one] Eén gegeven heeft geen datum. U vindt het bij "Per onderwerp".
   *[other] { $count } gegevens hebben geen datum. U vindt ze bij "Per onderwerp".
}
pgo-part-problems = Gezondheidsprobleem
pgo-part-medication = Medicijn
pgo-part-allergies = Allergie
pgo-part-measurements = Meting
pgo-part-results = Uitslag
pgo-part-documents = Brief of document
pgo-part-notes = Notitie
pgo-trends-title = Verloop van uitslagen en metingen
pgo-trends-intro = Hoe uw uitslagen en metingen veranderen, van al uw zorgverleners samen. Een waarde die twee zorgverleners sturen, staat er één keer in. Onder elke grafiek staan dezelfde waarden in een tabel.
pgo-trends-none = Er zijn nog geen uitslagen of metingen die vaker dan één keer zijn gedaan.
pgo-trends-table = Alle waarden van { $name }
pgo-trends-date = Datum
pgo-trends-value = Waarde
pgo-trend-systolic = bovendruk
pgo-trend-diastolic = onderdruk

## Ways to share
pgo-share-ways = Manieren om te delen
pgo-share-way-link = Link voor een zorgverlener
pgo-share-way-family = Familie en naasten
pgo-share-way-team = Zorgteam

## Family
pgo-family-title = Familie en naasten laten meekijken
pgo-family-intro = Iemand die u vertrouwt en zelf een gezondheidsomgeving heeft, kan een deel van uw gegevens lezen. Diegene kan niets veranderen. U kunt het op elk moment stoppen. U ziet in "Wat is er gebeurd" wanneer er is gekeken.
pgo-family-given = Wie mag bij u meekijken
pgo-family-given-none = Nog niemand.
pgo-family-new = Iemand uitnodigen
pgo-family-for = Wie nodigt u uit?
pgo-family-parts = Welke gegevens mag diegene lezen?
pgo-family-create = Uitnodiging maken
pgo-family-made = Uw uitnodiging is klaar
pgo-family-code = De code is:
pgo-family-made-how = U ziet de code alleen nu. Geef hem zelf aan de persoon. Die logt in op de eigen gezondheidsomgeving, kiest "Delen" en dan "Familie en naasten", en vult de code in. De code werkt 7 dagen en maar één keer.
pgo-family-invited-until = uitgenodigd, de code werkt tot { $date }
pgo-family-invite-expired = de code is verlopen
pgo-family-reading-since = { $name } kijkt mee sinds { $date }
pgo-family-ended = gestopt
pgo-family-end = Stoppen
pgo-family-received = Bij wie kijkt u mee
pgo-family-received-none = U kijkt nog bij niemand mee.
pgo-family-data-of = Gegevens van { $name }
pgo-family-stop-reading = Niet meer meekijken
pgo-family-enter = Een code van iemand anders invullen
pgo-family-enter-code = Code
pgo-family-accept = Meekijken
pgo-family-read-note = { $name } laat u deze gegevens lezen. U kunt niets veranderen. { $name } ziet wanneer u kijkt.
pgo-family-back = Terug naar familie en naasten
pgo-family-notice-ended = Het meekijken is gestopt.
pgo-family-err-label = Schrijf wie u uitnodigt (hoogstens 100 tekens). Er is geen uitnodiging gemaakt.
pgo-family-err-parts = Kies welke gegevens diegene mag lezen. Er is geen uitnodiging gemaakt.
pgo-family-err-code = Deze code werkt niet. Kijk of u hem goed heeft overgenomen, of vraag om een nieuwe.
pgo-family-err-too-many = U heeft te vaak een verkeerde code ingevuld. Log opnieuw in om het nog eens te proberen.
pgo-log-family-invite = Uitnodiging om mee te kijken gemaakt voor
pgo-log-family-accepted = Meekijken begonnen door
pgo-log-family-joined = U kijkt nu mee bij
pgo-log-family-read = Gegevens bekeken door
pgo-log-family-end = Meekijken gestopt voor
pgo-log-family-left = Gestopt met meekijken
pgo-log-family-stopped = U kijkt niet meer mee bij

## Care team
pgo-team-title = Zorgteam
pgo-team-intro = Breng de zorgverleners die u voor één aandoening helpen samen op één plek. Iedereen in het zorgteam leest de gegevens die u kiest, het behandelplan en alle berichten. Met één bericht informeert u iedereen tegelijk. U kunt een zorgverlener eruit halen of het zorgteam sluiten wanneer u wilt.
pgo-team-yours = Uw zorgteams
pgo-team-none = U heeft nog geen zorgteam.
pgo-team-new = Nieuw zorgteam
pgo-team-name = Waar gaat het over?
pgo-team-name-hint = Bijvoorbeeld: "Mijn huid". Alleen u en de zorgverleners in het zorgteam zien dit.
pgo-team-parts = Welke gegevens mogen de zorgverleners lezen?
pgo-team-create = Zorgteam maken
pgo-team-closed = gesloten
pgo-team-count-members = { $count ->
    [one] 1 zorgverlener
   *[other] { $count } zorgverleners
}
pgo-team-count-messages = { $count ->
    [one] 1 bericht
   *[other] { $count } berichten
}
pgo-team-back = Terug naar uw zorgteams
pgo-team-is-closed = Dit zorgteam is gesloten. De links werken niet meer. U kunt alles nog lezen.
pgo-team-made = De link voor { $name } is klaar
pgo-team-shows = Gegevens die het zorgteam leest:
pgo-team-shows-nothing = geen (alleen het plan en de berichten).
pgo-team-members = Zorgverleners in dit zorgteam
pgo-team-no-members = Nog niemand. Nodig een zorgverlener uit.
pgo-team-opened = { $count ->
    [0] nog niet geopend
    [one] 1 keer geopend
   *[other] { $count } keer geopend
}
pgo-team-removed = eruit gehaald
pgo-team-remove = Uit het zorgteam halen
pgo-team-who = Wie nodigt u uit? (bijvoorbeeld: Huisarts, Dermatoloog)
pgo-team-invite = Link en code maken
pgo-team-plan = Behandelplan
pgo-team-plan-label = Het plan (wat er gebeurt en wie wat doet)
pgo-team-plan-save = Plan opslaan
pgo-team-no-plan = Er is nog geen plan.
pgo-team-messages = Berichten
pgo-team-no-messages = Nog geen berichten.
pgo-team-message = Uw bericht aan het hele zorgteam
pgo-team-file = Foto of PDF (niet verplicht)
pgo-team-send = Versturen aan iedereen
pgo-team-close-title = Zorgteam sluiten
pgo-team-close-text = Na het sluiten werken de links van alle zorgverleners niet meer. U kunt de berichten daarna nog lezen.
pgo-team-close = Zorgteam sluiten
pgo-team-member-title = Zorgteam
pgo-team-member-code-intro = Iemand heeft u uitgenodigd in een zorgteam. Vul de code in die u apart heeft gekregen.
pgo-team-member-gone = Deze link werkt niet (meer). Vraag de persoon om een nieuwe link.
pgo-team-member-intro = { $name } heeft u als { $role } in dit zorgteam uitgenodigd. U kunt de gegevens lezen en berichten sturen aan iedereen in het zorgteam. { $name } ziet wanneer u kijkt.
pgo-team-err-title = Schrijf waar het zorgteam over gaat (hoogstens 100 tekens). Er is niets gemaakt.
pgo-team-err-who = Schrijf wie u uitnodigt (hoogstens 100 tekens). Er is geen link gemaakt.
pgo-team-err-plan = Het plan is te lang (hoogstens 5000 tekens). Het is niet opgeslagen.
pgo-team-err-closed = Dit zorgteam is gesloten. Er is niets veranderd.
pgo-log-team-create = Zorgteam gemaakt
pgo-log-team-invite = In het zorgteam uitgenodigd
pgo-log-team-open = Zorgteam geopend door
pgo-log-team-reply = Bericht in het zorgteam van
pgo-log-team-post = Bericht aan het zorgteam gestuurd
pgo-log-team-plan = Behandelplan veranderd
pgo-log-team-remove = Uit het zorgteam gehaald
pgo-log-team-close = Zorgteam gesloten
pgo-log-team-link-closed = Link in het zorgteam gestopt na vijf foute codes voor

## Documents
pgo-document-open = Openen
pgo-document-failed = Het document kon niet worden geopend:
pgo-log-document-open = Document geopend van

## Asking a provider about measurements
pgo-view-ask = Metingen opvragen
pgo-ask-title = Metingen opvragen bij uw zorgverlener
pgo-ask-intro = Vraag bij een zorgverlener die uw metingen bewaart wat die nu van u heeft. Het antwoord wordt ook bewaard bij uw gegevens.
pgo-ask-none = U heeft nog geen zorgverlener gekoppeld voor "Meetwaarden vitale functies".
pgo-ask-where = Bij welke zorgverlener?
pgo-ask-what = Wat wilt u weten?
pgo-ask-q1 = Alle bloeddrukken
pgo-ask-q2 = Het laatste gewicht
pgo-ask-q3 = Alle bloedsuikers
pgo-ask-q4 = Alle hartslagen
pgo-ask-q5 = Bloeddrukken in een periode
pgo-ask-q6 = Alle metingen in een periode
pgo-ask-q7 = Alle vitale functies
pgo-ask-period = Periode (alleen bij "in een periode")
pgo-ask-from = Van
pgo-ask-to = Tot en met
pgo-ask-button = Opvragen
pgo-ask-answer = { $what } bij { $name }
pgo-ask-nothing = De zorgverlener heeft hier niets van u.
pgo-ask-failed = Het opvragen bij { $name } is niet gelukt:
pgo-ask-err-question = Kies wat u wilt weten. Er is niets opgevraagd.
pgo-ask-err-period = Vul een periode in: de eerste datum niet na de tweede. Er is niets opgevraagd.
pgo-log-ask = Metingen opgevraagd bij
