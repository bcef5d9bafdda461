# The PGO: a person's own health environment (issue 19).
pgo-title = My health environment
pgo-intro = Here you collect your health data from your GP and other care providers in one place. You decide which care providers you connect. Only you can see your data.
pgo-welcome = Welcome, { $name }.
pgo-login = Log in
pgo-nav = Menu of your health environment
pgo-nav-home = My connections
pgo-nav-data = My data
pgo-nav-providers = Add a care provider
pgo-nav-log = What happened
pgo-signup-title = Create your health environment
pgo-signup-point-1 = You fetch your data from care providers that are part of MedMij.
pgo-signup-point-2 = Your data is stored encrypted. We do not look at it and give it to no one.
pgo-signup-point-3 = You can delete everything at once at any time.
pgo-signup-agree = I have read this and want a health environment.
pgo-signup-button = Create
pgo-connections = Your care providers
pgo-no-connections = You have not connected a care provider yet. Choose "Add a care provider" to start.
pgo-connection-active = connected
pgo-connection-ended = no longer connected
pgo-last-fetch = Last fetched
pgo-fetch = Fetch again
pgo-withdraw = Withdraw consent
pgo-connect-again = Connect again
pgo-delete-source = Delete the data of this care provider
pgo-add-provider = Add a care provider
pgo-delete-account-title = Delete everything
pgo-delete-account-text = You can delete your health environment and all data in it at once. Your consents at care providers are withdrawn too. This cannot be undone.
pgo-delete-account-confirm = Yes, delete everything.
pgo-delete-account-button = Delete everything
pgo-notice-denied = You did not give consent. Nothing was fetched.
pgo-notice-failed = Connecting did not work. Try again later. If it still does not work, contact the care provider.
pgo-notice-withdrawn = Your consent has been withdrawn. The data already fetched stays here until you delete it.
pgo-notice-source-deleted = The data of this care provider has been deleted.
pgo-notice-expired = Connecting took too long. Start again.
pgo-fetch-none = Nothing was fetched from { $name }.
pgo-fetch-complete = Everything was fetched. New or changed: { $count }.
pgo-fetch-partial = Part was fetched. New or changed: { $count }.
pgo-failed = The { $what } of { $name } could not be fetched:
pgo-why-no-answer = the care provider does not answer. Try again later.
pgo-why-consent = your consent has expired or was withdrawn. Connect the care provider again.
pgo-why-not-offered = this care provider does not offer this data.
pgo-why-fault = the care provider has a fault. Try again later.
pgo-why-unreadable = the care provider sent data we cannot read. Contact the care provider if this keeps happening.
pgo-why-not-whitelisted = this care provider is not on the MedMij list. We fetch nothing there.
pgo-q-patient = details about you and your GP
pgo-q-episodes = health problems
pgo-q-medication = medicines
pgo-q-allergies = allergies
pgo-q-results = results
pgo-q-journal = reports of your appointments
pgo-q-encounters = appointments with the practice
pgo-q-documents = letters and documents
pgo-providers-title = Add a care provider
pgo-search-label = Name of the care provider
pgo-search = Search
pgo-lists-missing = The list of care providers is not available now. Try again later.
pgo-no-providers = No care provider found with this name.
pgo-connect = Connect
pgo-data-title = My data
pgo-data-intro = Here the data of all your care providers is together. Each item says where it comes from. When two care providers report the same, you see it once.
pgo-data-empty = No data has been fetched yet.
pgo-data-unreadable = We cannot show the data of { $name } yet: your personal details have not been fetched there. Choose "Fetch again".
pgo-section-problems = Health problems
pgo-section-medication = Medicines you use now
pgo-section-allergies = Allergies
pgo-section-results = Results
pgo-section-documents = Letters and documents
pgo-section-empty = Nothing known.
pgo-inactive = no longer active
pgo-seen-at = Seen at
pgo-log-intro = Here you see what happened in your health environment: logging in, connecting, fetching and withdrawing.
pgo-log-login = Logged in
pgo-log-account-created = Health environment created
pgo-log-connect = Connected with
pgo-log-fetch = Data fetched from
pgo-log-fetch-partial = Part of the data fetched from
pgo-log-withdraw = Consent withdrawn at
pgo-log-delete-source = Data deleted from

## What the person adds themselves, and sending measurements (data service 52)
pgo-nav-own = Add your own
pgo-own-title = Add your own
pgo-own-intro = Here you add your own measurements, medicines without a prescription and notes. They appear with your data marked "entered by you". You can send measurements to your care provider.
pgo-own-measure = Add a measurement
pgo-own-kind = What did you measure?
pgo-own-value = Result
pgo-own-value-hint = Only the number, for example 72.5 for your weight in kilos or 37.2 for your temperature. For blood pressure, fill in the two numbers below.
pgo-own-systolic = Upper pressure (the highest number)
pgo-own-diastolic = Lower pressure (the lowest number)
pgo-own-date = Date
pgo-own-time = Time (if you know it)
pgo-own-comment = Remark (optional)
pgo-own-save = Save
pgo-own-saved = Saved.
pgo-own-medicine = Medicine without a prescription
pgo-own-medicine-name = Name of the medicine
pgo-own-medicine-dose = How much and how often
pgo-own-medicine-since = Since when
pgo-own-note = Note
pgo-own-note-text = Your note
pgo-own-send-title = Send measurements to your care provider
pgo-own-send-none = You have not yet connected a care provider that accepts measurements. Connect your GP for "Meetwaarden vitale functies".
pgo-own-send = { $count ->
    [one] Send 1 new measurement to { $name }
   *[other] Send { $count } new measurements to { $name }
}
pgo-own-sent = { $count ->
    [one] 1 measurement was sent to { $name }.
   *[other] { $count } measurements were sent to { $name }.
} Your care provider will look at them.
pgo-own-not-sent = The measurements were not sent:
pgo-own-items = What you entered yourself
pgo-own-sent-to = Sent to
pgo-own-delete = Delete
pgo-own-source = entered by you
pgo-own-err-kind = Choose what you measured. Nothing was saved.
pgo-own-err-value = Fill in a number (for blood pressure: the upper pressure is higher than the lower). Nothing was saved.
pgo-own-err-range = This number cannot be right for this measurement. Check for a typing error. Nothing was saved.
pgo-own-err-when = Fill in a valid date, and the time as hh:mm. Nothing was saved.
pgo-own-err-future = That date is in the future. Nothing was saved.
pgo-own-err-name = Fill in the name of the medicine. Nothing was saved.
pgo-own-err-text = Fill in a text of at most 1000 characters. Nothing was saved.
pgo-own-err-nothing = There are no new measurements to send.
pgo-why-refused = the care provider did not accept the measurements. Contact the care provider if this keeps happening.
pgo-q-measurements = measurements
pgo-section-measurements = Measurements
pgo-section-notes = My notes
pgo-log-own-add = Entered something yourself
pgo-log-own-delete = Deleted something you entered
pgo-log-send = Measurements sent to

## Share links (R126)
pgo-nav-share = Share
pgo-share-title = Share with a care provider
pgo-share-intro = Make a link with which a care provider can read part of your data, for a short time. The care provider also needs a code. Give the link and the code separately, for example the link by e-mail and the code on the phone. You see here how often the link was opened, and you can always stop it at once.
pgo-share-new = New link
pgo-share-for = Who is the link for?
pgo-share-parts = Which data may the care provider read?
pgo-share-period = How long does the link work?
pgo-share-1h = 1 hour
pgo-share-1d = 1 day
pgo-share-3d = 3 days
pgo-share-7d = 1 week
pgo-share-30d = 30 days
pgo-share-create = Make link
pgo-share-made = Your link is ready
pgo-share-link = Send this link to the care provider:
pgo-share-code = The code is:
pgo-share-apart = You see the code only now. Give it separately from the link.
pgo-share-links = Your links
pgo-share-none = You have not made any links yet.
pgo-share-until = Works until
pgo-share-openings = Times opened:
pgo-share-open = works
pgo-share-expired = expired
pgo-share-revoked = stopped
pgo-share-revoke = Stop
pgo-share-err-label = Write who the link is for (at most 100 characters). No link was made.
pgo-share-err-parts = Choose which data the care provider may read. No link was made.
pgo-share-err-period = Choose how long the link works. No link was made.
pgo-shared-title = Shared data
pgo-shared-intro = Someone shared data with you. Fill in the code you received separately.
pgo-shared-code = Code
pgo-shared-open = Open
pgo-share-err-code = This code is not right. After five wrong codes the link stops working.
pgo-shared-gone = This link does not work (any more). Ask the person for a new link.
pgo-shared-of = Data of { $name }
pgo-shared-readonly = You can only read this data. The link works until { $date }.
pgo-log-share = Link made for
pgo-log-share-open = Link opened by
pgo-log-share-revoke = Link stopped for
pgo-log-share-closed = Link stopped after five wrong codes for
pgo-shared-own-source = entered by the person themselves
pgo-shared-part-problems = Health problems
pgo-shared-part-medication = Medicines the person uses now
pgo-shared-part-allergies = Allergies
pgo-shared-part-measurements = Measurements
pgo-shared-part-results = Results
pgo-shared-part-documents = Letters and documents
pgo-shared-part-notes = The person's notes

## Timeline and course over time
pgo-data-views = Ways to view your data
pgo-view-parts = By subject
pgo-view-timeline = Timeline
pgo-view-trends = Over time
pgo-timeline-title = Timeline
pgo-timeline-intro = Everything with a date, newest first, from all your care providers and what you entered yourself.
pgo-timeline-undated = { $count ->
    [one] One item has no date. You find it under "By subject".
   *[other] { $count } items have no date. You find them under "By subject".
}
pgo-part-problems = Health problem
pgo-part-medication = Medicine
pgo-part-allergies = Allergy
pgo-part-measurements = Measurement
pgo-part-results = Result
pgo-part-documents = Letter or document
pgo-part-notes = Note
pgo-trends-title = Your results and measurements over time
pgo-trends-intro = How your results and measurements change, from all your care providers together. A value that two care providers send appears once. Below each chart the same values are in a table.
pgo-trends-none = There are no results or measurements yet that were taken more than once.
pgo-trends-table = All values of { $name }
pgo-trends-date = Date
pgo-trends-value = Value
pgo-trend-systolic = upper pressure
pgo-trend-diastolic = lower pressure

## Ways to share
pgo-share-ways = Ways to share
pgo-share-way-link = Link for a care provider
pgo-share-way-family = Family and people close to you
pgo-share-way-team = Care team

## Family
pgo-family-title = Let family and people close to you read along
pgo-family-intro = Someone you trust who has a health environment of their own can read part of your data. They cannot change anything. You can stop it at any time. "What happened" shows when they looked.
pgo-family-given = Who may read along with you
pgo-family-given-none = Nobody yet.
pgo-family-new = Invite someone
pgo-family-for = Whom do you invite?
pgo-family-parts = Which data may they read?
pgo-family-create = Make an invitation
pgo-family-made = Your invitation is ready
pgo-family-code = The code is:
pgo-family-made-how = You see the code only now. Give it to the person yourself. They log in to their own health environment, choose "Share", then "Family and people close to you", and enter the code. The code works for 7 days and only once.
pgo-family-invited-until = invited, the code works until { $date }
pgo-family-invite-expired = the code has expired
pgo-family-reading-since = { $name } reads along since { $date }
pgo-family-ended = stopped
pgo-family-end = Stop
pgo-family-received = Whose data you read
pgo-family-received-none = You do not read anyone's data yet.
pgo-family-data-of = Data of { $name }
pgo-family-stop-reading = Stop reading along
pgo-family-enter = Enter a code from someone else
pgo-family-enter-code = Code
pgo-family-accept = Read along
pgo-family-read-note = { $name } lets you read this data. You cannot change anything. { $name } sees when you look.
pgo-family-back = Back to family and people close to you
pgo-family-notice-ended = Reading along has stopped.
pgo-family-err-label = Write whom you invite (at most 100 characters). No invitation was made.
pgo-family-err-parts = Choose which data they may read. No invitation was made.
pgo-family-err-code = This code does not work. Check that you copied it correctly, or ask for a new one.
pgo-family-err-too-many = You entered a wrong code too often. Log in again to try once more.
pgo-log-family-invite = Invitation to read along made for
pgo-log-family-accepted = Started reading along
pgo-log-family-joined = You now read along with
pgo-log-family-read = Data read by
pgo-log-family-end = Reading along stopped for
pgo-log-family-left = Stopped reading along
pgo-log-family-stopped = You no longer read along with

## Care team
pgo-team-title = Care team
pgo-team-intro = Bring the care providers who help you with one condition together in one place. Everyone in the care team reads the data you choose, the treatment plan and all messages. With one message you inform everyone at once. You can take a care provider out or close the care team whenever you want.
pgo-team-yours = Your care teams
pgo-team-none = You do not have a care team yet.
pgo-team-new = New care team
pgo-team-name = What is it about?
pgo-team-name-hint = For example: "My skin". Only you and the care providers in the care team see this.
pgo-team-parts = Which data may the care providers read?
pgo-team-create = Make the care team
pgo-team-closed = closed
pgo-team-count-members = { $count ->
    [one] 1 care provider
   *[other] { $count } care providers
}
pgo-team-count-messages = { $count ->
    [one] 1 message
   *[other] { $count } messages
}
pgo-team-back = Back to your care teams
pgo-team-is-closed = This care team is closed. The links no longer work. You can still read everything.
pgo-team-made = The link for { $name } is ready
pgo-team-shows = Data the care team reads:
pgo-team-shows-nothing = none (only the plan and the messages).
pgo-team-members = Care providers in this care team
pgo-team-no-members = Nobody yet. Invite a care provider.
pgo-team-opened = { $count ->
    [0] not opened yet
    [one] opened once
   *[other] opened { $count } times
}
pgo-team-removed = taken out
pgo-team-remove = Take out of the care team
pgo-team-who = Whom do you invite? (for example: GP, Dermatologist)
pgo-team-invite = Make a link and code
pgo-team-plan = Treatment plan
pgo-team-plan-label = The plan (what happens and who does what)
pgo-team-plan-save = Save the plan
pgo-team-no-plan = There is no plan yet.
pgo-team-messages = Messages
pgo-team-no-messages = No messages yet.
pgo-team-message = Your message to the whole care team
pgo-team-file = Photo or PDF (optional)
pgo-team-send = Send to everyone
pgo-team-close-title = Close the care team
pgo-team-close-text = After closing, the links of all care providers no longer work. You can still read the messages afterwards.
pgo-team-close = Close the care team
pgo-team-member-title = Care team
pgo-team-member-code-intro = Someone has invited you to a care team. Enter the code you received separately.
pgo-team-member-gone = This link does not work (any more). Ask the person for a new link.
pgo-team-member-intro = { $name } invited you as { $role } to this care team. You can read the data and send messages to everyone in the care team. { $name } sees when you look.
pgo-team-err-title = Write what the care team is about (at most 100 characters). Nothing was made.
pgo-team-err-who = Write whom you invite (at most 100 characters). No link was made.
pgo-team-err-plan = The plan is too long (at most 5000 characters). It was not saved.
pgo-team-err-closed = This care team is closed. Nothing was changed.
pgo-log-team-create = Care team made
pgo-log-team-invite = Invited to the care team
pgo-log-team-open = Care team opened by
pgo-log-team-reply = Message in the care team from
pgo-log-team-post = Message sent to the care team
pgo-log-team-plan = Treatment plan changed
pgo-log-team-remove = Taken out of the care team
pgo-log-team-close = Care team closed
pgo-log-team-link-closed = Care-team link stopped after five wrong codes for

## Documents
pgo-document-open = Open
pgo-document-failed = The document could not be opened:
pgo-log-document-open = Document opened from

## Asking a provider about measurements
pgo-view-ask = Ask for measurements
pgo-ask-title = Ask your care provider for measurements
pgo-ask-intro = Ask a care provider who keeps your measurements what they have of you now. The answer is kept with your data too.
pgo-ask-none = You have not connected a care provider for "Vital signs measurements" yet.
pgo-ask-where = Which care provider?
pgo-ask-what = What do you want to know?
pgo-ask-q1 = All blood pressures
pgo-ask-q2 = The latest weight
pgo-ask-q3 = All blood sugars
pgo-ask-q4 = All heart rates
pgo-ask-q5 = Blood pressures in a period
pgo-ask-q6 = All measurements in a period
pgo-ask-q7 = All vital signs
pgo-ask-period = Period (only for "in a period")
pgo-ask-from = From
pgo-ask-to = Up to and including
pgo-ask-button = Ask
pgo-ask-answer = { $what } at { $name }
pgo-ask-nothing = The care provider has nothing of this from you.
pgo-ask-failed = Asking { $name } did not work:
pgo-ask-err-question = Choose what you want to know. Nothing was asked.
pgo-ask-err-period = Enter a period: the first date not after the second. Nothing was asked.
pgo-log-ask = Measurements asked from
