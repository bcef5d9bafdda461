# MedMij: a PGO (app) fetches the GP data with the patient's consent.

nav-apps = Apps with access
medmij-title = Consent for your app
medmij-statement = You want the app of { $name } to fetch your data from { $title }. Do you give your consent?
medmij-what = The app gets a copy of what you also see in the portal: your illnesses and complaints, the agreements about medicines, allergies, results and the notes of your contacts with the practice.
medmij-not-what = The app does not get the GP's personal notes or data the practice has shielded.
medmij-revoke-later = You can always withdraw your consent later, under 'Apps with access' in the portal.
medmij-client = This app identifies itself as:
medmij-how-long = How long may the app fetch your data?
medmij-once = Only now
medmij-3-months = 3 months
medmij-12-months = 12 months
medmij-yes = Yes, I give my consent
medmij-no = No, cancel
medmij-unknown-client = This app is not on the list of apps that may fetch data (MedMij). Nothing was shared.
medmij-bad-redirect = The app's request is not correct (the return address does not belong to the app). Nothing was shared.
medmij-no-request = There is no request from an app to answer. Start again in your app.
medmij-no-record = We cannot share your data with an app. Perhaps you are not a patient of this practice, or the practice has not (yet) recorded that you want to fetch your data with an app. Please contact the practice.
medmij-error-next = You can close this window and go back to your app.
apps-title = Apps with access
apps-intro = These apps may fetch your data because you gave your consent. If you withdraw it, the app can no longer fetch anything, straight away.
apps-whose = Below are the apps you gave access to your own record. They cannot look into { $name }'s record: on this website you can only give an app access to your own record.
apps-none = No apps have access to your data.
apps-until = access up to and including { $date }
apps-revoke = Withdraw consent
apps-revoked = Your consent has been withdrawn. The app can no longer fetch your data.
