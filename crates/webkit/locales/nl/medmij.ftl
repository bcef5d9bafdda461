# MedMij: a PGO (app) fetches the GP data with the patient's consent.

nav-apps = Apps met toegang
medmij-title = Toestemming voor uw app
medmij-statement = U wilt dat de app van { $name } uw gegevens ophaalt bij { $title }. Geeft u daarvoor toestemming?
medmij-what = De app krijgt een kopie van wat u ook in het portaal ziet: uw ziektes en klachten, de afspraken over medicijnen, allergieën, uitslagen en de verslagen van uw contacten met de praktijk.
medmij-not-what = Persoonlijke aantekeningen van de huisarts en gegevens die de praktijk heeft afgeschermd krijgt de app niet.
medmij-revoke-later = U kunt uw toestemming later altijd intrekken, bij 'Apps met toegang' in het portaal.
medmij-client = Deze app meldt zich aan als:
medmij-how-long = Hoe lang mag de app uw gegevens ophalen?
medmij-once = Alleen nu
medmij-3-months = 3 maanden
medmij-12-months = 12 maanden
medmij-yes = Ja, ik geef toestemming
medmij-no = Nee, annuleren
medmij-unknown-client = Deze app staat niet op de lijst van apps die gegevens mogen ophalen (MedMij). Er is niets gedeeld.
medmij-bad-redirect = Het verzoek van de app klopt niet (het terugadres hoort niet bij de app). Er is niets gedeeld.
medmij-no-request = Er is geen verzoek van een app om op te reageren. Begin opnieuw in uw app.
medmij-no-record = Wij kunnen uw gegevens niet delen met een app. Misschien bent u geen patiënt van deze praktijk, of heeft de praktijk (nog) niet vastgelegd dat u uw gegevens via een app wilt ophalen. Neem contact op met de praktijk.
medmij-error-next = U kunt dit venster sluiten en teruggaan naar uw app.
apps-title = Apps met toegang
apps-intro = Deze apps mogen uw gegevens ophalen, omdat u daar toestemming voor gaf. Trekt u de toestemming in, dan kan de app meteen niets meer ophalen.
apps-whose = Hieronder staan de apps die u toegang gaf tot uw eigen dossier. Zij kunnen niet in het dossier van { $name } kijken: op deze website geeft u een app alleen toegang tot uw eigen dossier.
apps-none = Er zijn geen apps met toegang tot uw gegevens.
apps-until = toegang tot en met { $date }
apps-revoke = Toestemming intrekken
apps-revoked = De toestemming is ingetrokken. De app kan uw gegevens niet meer ophalen.
