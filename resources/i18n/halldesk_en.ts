<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>AdminWindow</name>
    <message>
        <source>HallDesk - Devices</source>
        <translation>HallDesk - Devices</translation>
    </message>
    <message>
        <source>Job number</source>
        <translation>Job number</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>Log in</translation>
    </message>
    <message>
        <source>Serial ports on this PC</source>
        <translation>Serial ports on this PC</translation>
    </message>
    <message>
        <source>Device status</source>
        <translation>Device status</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>Bus</source>
        <translation>Bus</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>Counter</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Last event</source>
        <translation>Last event</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <source>Beep keypad</source>
        <translation>Beep keypad</translation>
    </message>
    <message>
        <source>Show 888</source>
        <translation>Show 888</translation>
    </message>
    <message>
        <source>Start a rating</source>
        <translation>Start a rating</translation>
    </message>
    <message>
        <source>LED 888</source>
        <translation>LED 888</translation>
    </message>
    <message>
        <source>Print a test ticket</source>
        <translation>Print a test ticket</translation>
    </message>
    <message>
        <source>Buses (serial ports)</source>
        <translation>Buses (serial ports)</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Devices</translation>
    </message>
    <message>
        <source>Add bus</source>
        <translation>Add bus</translation>
    </message>
    <message>
        <source>Add device</source>
        <translation>Add device</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation>Remove selected</translation>
    </message>
    <message>
        <source>Save settings</source>
        <translation>Save settings</translation>
    </message>
    <message>
        <source>Not a field of this kind of device</source>
        <translation>Not a field of this kind of device</translation>
    </message>
    <message>
        <source>open</source>
        <translation>open</translation>
    </message>
    <message>
        <source>opening</source>
        <translation>opening</translation>
    </message>
    <message>
        <source>not available</source>
        <translation>not available</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>closed</translation>
    </message>
    <message>
        <source>{state}: {reason}</source>
        <translation>{state}: {reason}</translation>
    </message>
    <message>
        <source>Logged in as {name}.</source>
        <translation>Logged in as {name}.</translation>
    </message>
    <message>
        <source>No serial port found.</source>
        <translation>No serial port found.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Port (URL)</source>
        <translation>Port (URL)</translation>
    </message>
    <message>
        <source>Baud</source>
        <translation>Baud</translation>
    </message>
    <message>
        <source>Dispenser</source>
        <translation>Dispenser</translation>
    </message>
    <message>
        <source>Buttons</source>
        <translation>Buttons</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Keys</translation>
    </message>
    <message>
        <source>Paper (mm)</source>
        <translation>Paper (mm)</translation>
    </message>
    <message>
        <source>Layout</source>
        <translation>Layout</translation>
    </message>
    <message>
        <source>not heard yet</source>
        <translation>not heard yet</translation>
    </message>
    <message>
        <source>online</source>
        <translation>online</translation>
    </message>
    <message>
        <source>offline since {time}</source>
        <translation>offline since {time}</translation>
    </message>
    <message>
        <source>Select a device first (the bus station must run here).</source>
        <translation>Select a device first (the bus station must run here).</translation>
    </message>
    <message>
        <source>Test sent.</source>
        <translation>Test sent.</translation>
    </message>
    <message>
        <source>Saved to {path}. Restart the bus station to use it.</source>
        <translation>Saved to {path}. Restart the bus station to use it.</translation>
    </message>
</context>
<context>
    <name>AlertDetailDialog</name>
    <message>
        <source>{number} ({service}): taken {issued}, called {called}, counter {counter}</source>
        <translation>{number} ({service}): taken {issued}, called {called}, counter {counter}</translation>
    </message>
    <message>
        <source>Clerk: {name} ({job})</source>
        <translation>Clerk: {name} ({job})</translation>
    </message>
    <message>
        <source>Rating: {rating}</source>
        <translation>Rating: {rating}</translation>
    </message>
    <message>
        <source>Note: {note}</source>
        <translation>Note: {note}</translation>
    </message>
    <message>
        <source>Ask for a complaint work order…</source>
        <translation>Ask for a complaint work order…</translation>
    </message>
</context>
<context>
    <name>ApprovalFields</name>
    <message>
        <source>Manager&apos;s job number</source>
        <translation>Manager&apos;s job number</translation>
    </message>
    <message>
        <source>Manager&apos;s password</source>
        <translation>Manager&apos;s password</translation>
    </message>
    <message>
        <source>A manager must approve.</source>
        <translation>A manager must approve.</translation>
    </message>
    <message>
        <source>The manager&apos;s password is needed.</source>
        <translation>The manager&apos;s password is needed.</translation>
    </message>
</context>
<context>
    <name>CallNumberDialog</name>
    <message>
        <source>Call a number</source>
        <translation>Call a number</translation>
    </message>
    <message>
        <source>Ticket number (e.g. A012) or scanned ticket code:</source>
        <translation>Ticket number (e.g. A012) or scanned ticket code:</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>Call</translation>
    </message>
    <message>
        <source>Enter a ticket number.</source>
        <translation>Enter a ticket number.</translation>
    </message>
</context>
<context>
    <name>ClosingDialog</name>
    <message>
        <source>Day closing</source>
        <translation>Day closing</translation>
    </message>
    <message>
        <source>Close the day</source>
        <translation>Close the day</translation>
    </message>
    <message>
        <source>Business day</source>
        <translation>Business day</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>Payments</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>Voided</translation>
    </message>
    <message>
        <source>Refunds paid</source>
        <translation>Refunds paid</translation>
    </message>
    <message>
        <source>Cash expected in the drawer</source>
        <translation>Cash expected in the drawer</translation>
    </message>
    <message>
        <source>Cash counted</source>
        <translation>Cash counted</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>This day is closed already.</source>
        <translation>This day is closed already.</translation>
    </message>
</context>
<context>
    <name>CounterWindow</name>
    <message>
        <source>HallDesk - Counter</source>
        <translation>HallDesk - Counter</translation>
    </message>
    <message>
        <source>Please log in first (Ctrl+L).</source>
        <translation>Please log in first (Ctrl+L).</translation>
    </message>
    <message>
        <source>Please wait: the last step is still running.</source>
        <translation>Please wait: the last step is still running.</translation>
    </message>
    <message>
        <source>Logged out.</source>
        <translation>Logged out.</translation>
    </message>
    <message>
        <source>Welcome, {name}.</source>
        <translation>Welcome, {name}.</translation>
    </message>
    <message>
        <source>A customer rated the service dissatisfied. The duty manager is told.</source>
        <translation>A customer rated the service dissatisfied. The duty manager is told.</translation>
    </message>
    <message>
        <source>You are no longer logged in at this counter.</source>
        <translation>You are no longer logged in at this counter.</translation>
    </message>
    <message>
        <source>Call next</source>
        <translation>Call next</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>Recall</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>Finish</translation>
    </message>
    <message>
        <source>No-show</source>
        <translation>No-show</translation>
    </message>
    <message>
        <source>Hold</source>
        <translation>Hold</translation>
    </message>
    <message>
        <source>Call back</source>
        <translation>Call back</translation>
    </message>
    <message>
        <source>Transfer...</source>
        <translation>Transfer...</translation>
    </message>
    <message>
        <source>Call number...</source>
        <translation>Call number...</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Resume</translation>
    </message>
    <message>
        <source>Pause...</source>
        <translation>Pause...</translation>
    </message>
    <message>
        <source>Ask for rating</source>
        <translation>Ask for rating</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Log out</translation>
    </message>
    <message>
        <source>Log in...</source>
        <translation>Log in...</translation>
    </message>
    <message>
        <source>Counter {number}</source>
        <translation>Counter {number}</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>Counter</translation>
    </message>
    <message>
        <source>Not logged in</source>
        <translation>Not logged in</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Closed</translation>
    </message>
    <message>
        <source>{clerk} - log in to continue</source>
        <translation>{clerk} - log in to continue</translation>
    </message>
    <message>
        <source>Paused: {reason}</source>
        <translation>Paused: {reason}</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Current customer</source>
        <translation>Current customer</translation>
    </message>
    <message>
        <source>Waiting for this counter</source>
        <translation>Waiting for this counter</translation>
    </message>
    <message>
        <source>On hold (F7 calls back)</source>
        <translation>On hold (F7 calls back)</translation>
    </message>
    <message>
        <source>Log in to open the counter (Ctrl+L).</source>
        <translation>Log in to open the counter (Ctrl+L).</translation>
    </message>
    <message>
        <source>The counter is paused. F10 resumes.</source>
        <translation>The counter is paused. F10 resumes.</translation>
    </message>
    <message>
        <source>No current customer. F1 calls the next one.</source>
        <translation>No current customer. F1 calls the next one.</translation>
    </message>
    <message numerus="yes">
        <source>Recalled %n time(s)</source>
        <translation>
            <numerusform>Recalled %n time</numerusform>
            <numerusform>Recalled %n times</numerusform>
        </translation>
    </message>
    <message>
        <source>Serving for {time}</source>
        <translation>Serving for {time}</translation>
    </message>
    <message>
        <source>Since the call: {time}</source>
        <translation>Since the call: {time}</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>{number}: the customer did not rate.</source>
        <translation>{number}: the customer did not rate.</translation>
    </message>
    <message>
        <source>{number} rated the service: {rating}.</source>
        <translation>{number} rated the service: {rating}.</translation>
    </message>
    <message>
        <source>Nobody is waiting.</source>
        <translation>Nobody is waiting.</translation>
    </message>
    <message>
        <source>Called {number}.</source>
        <translation>Called {number}.</translation>
    </message>
    <message>
        <source>{number} transferred to {service}.</source>
        <translation>{number} transferred to {service}.</translation>
    </message>
    <message>
        <source>Recalled {number}.</source>
        <translation>Recalled {number}.</translation>
    </message>
    <message>
        <source>Serving {number}.</source>
        <translation>Serving {number}.</translation>
    </message>
    <message>
        <source>{number} finished.</source>
        <translation>{number} finished.</translation>
    </message>
    <message>
        <source>{number} marked as no-show.</source>
        <translation>{number} marked as no-show.</translation>
    </message>
    <message>
        <source>{number} is on hold.</source>
        <translation>{number} is on hold.</translation>
    </message>
    <message>
        <source>Called back {number}.</source>
        <translation>Called back {number}.</translation>
    </message>
    <message>
        <source>The counter is paused.</source>
        <translation>The counter is paused.</translation>
    </message>
    <message>
        <source>The counter is open again.</source>
        <translation>The counter is open again.</translation>
    </message>
    <message>
        <source>The evaluator asks the customer to rate.</source>
        <translation>The evaluator asks the customer to rate.</translation>
    </message>
</context>
<context>
    <name>DevicePanel</name>
    <message>
        <source>HallDesk - Simulated devices</source>
        <translation>HallDesk - Simulated devices</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Next</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>Recall</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>Finish</translation>
    </message>
    <message>
        <source>No-show</source>
        <translation>No-show</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Rate</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Very satisfied</source>
        <translation>Very satisfied</translation>
    </message>
    <message>
        <source>Satisfied</source>
        <translation>Satisfied</translation>
    </message>
    <message>
        <source>Fair</source>
        <translation>Fair</translation>
    </message>
    <message>
        <source>Dissatisfied</source>
        <translation>Dissatisfied</translation>
    </message>
    <message>
        <source>Key refused (beep)</source>
        <translation>Key refused (beep)</translation>
    </message>
    <message>
        <source>Closed (no clerk)</source>
        <translation>Closed (no clerk)</translation>
    </message>
    <message>
        <source>Waiting for a rating</source>
        <translation>Waiting for a rating</translation>
    </message>
    <message>
        <source>Caller keypads and evaluators</source>
        <translation>Caller keypads and evaluators</translation>
    </message>
    <message>
        <source>Counter {n}</source>
        <translation>Counter {n}</translation>
    </message>
    <message>
        <source>Dispenser panel</source>
        <translation>Dispenser panel</translation>
    </message>
    <message>
        <source>Ticket printer</source>
        <translation>Ticket printer</translation>
    </message>
    <message>
        <source>Port {bus}: {state}</source>
        <translation>Port {bus}: {state}</translation>
    </message>
    <message>
        <source>LED {value}</source>
        <translation>LED {value}</translation>
    </message>
    <message>
        <source>Waiting [{waiting}]  Ticket [{ticket}]</source>
        <translation>Waiting [{waiting}]  Ticket [{ticket}]</translation>
    </message>
</context>
<context>
    <name>DisplayWindow</name>
    <message>
        <source>HallDesk - Hall display</source>
        <translation>HallDesk - Hall display</translation>
    </message>
    <message>
        <source>Now calling</source>
        <translation>Now calling</translation>
    </message>
    <message>
        <source>Recent calls</source>
        <translation>Recent calls</translation>
    </message>
    <message>
        <source>Counters</source>
        <translation>Counters</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <source>{number} → Counter {counter}</source>
        <translation>{number} → Counter {counter}</translation>
    </message>
    <message>
        <source>Please wait for your number</source>
        <translation>Please wait for your number</translation>
    </message>
    <message>
        <source>Counter {counter}</source>
        <translation>Counter {counter}</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Paused</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Closed</translation>
    </message>
    <message numerus="yes">
        <source>{service}: %n waiting</source>
        <translation>
            <numerusform>{service}: %n waiting</numerusform>
            <numerusform>{service}: %n waiting</numerusform>
        </translation>
    </message>
    <message>
        <source>Voice off (M)</source>
        <translation>Voice off (M)</translation>
    </message>
    <message>
        <source>Voice on (M)</source>
        <translation>Voice on (M)</translation>
    </message>
</context>
<context>
    <name>FeeDialog</name>
    <message>
        <source>Business fees</source>
        <translation>Business fees</translation>
    </message>
    <message>
        <source>Add to the payment</source>
        <translation>Add to the payment</translation>
    </message>
</context>
<context>
    <name>FirstCopyWindow</name>
    <message>
        <source>HallDesk - First copy of the hall</source>
        <translation>HallDesk - First copy of the hall</translation>
    </message>
    <message>
        <source>Hall</source>
        <translation>Hall</translation>
    </message>
    <message>
        <source>Services</source>
        <translation>Services</translation>
    </message>
    <message>
        <source>Counters</source>
        <translation>Counters</translation>
    </message>
    <message>
        <source>Services of the counters</source>
        <translation>Services of the counters</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Staff</translation>
    </message>
    <message>
        <source>Customer accounts</source>
        <translation>Customer accounts</translation>
    </message>
    <message>
        <source>Bills</source>
        <translation>Bills</translation>
    </message>
    <message>
        <source>Fee items</source>
        <translation>Fee items</translation>
    </message>
    <message>
        <source>Late fee rules</source>
        <translation>Late fee rules</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>Payments</translation>
    </message>
    <message>
        <source>Bills of the payments</source>
        <translation>Bills of the payments</translation>
    </message>
    <message>
        <source>Fees of the payments</source>
        <translation>Fees of the payments</translation>
    </message>
    <message>
        <source>Account credit</source>
        <translation>Account credit</translation>
    </message>
    <message>
        <source>Voided payments</source>
        <translation>Voided payments</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>Refunds</translation>
    </message>
    <message>
        <source>Receipt prints</source>
        <translation>Receipt prints</translation>
    </message>
    <message>
        <source>Day closings</source>
        <translation>Day closings</translation>
    </message>
    <message>
        <source>Copying hall {hall} from the central database</source>
        <translation>Copying hall {hall} from the central database</translation>
    </message>
    <message>
        <source>This station is new. It keeps its own copy of the hall, so that its counter goes on working when the central database cannot be reached. The copy is made once, now.</source>
        <translation>This station is new. It keeps its own copy of the hall, so that its counter goes on working when the central database cannot be reached. The copy is made once, now.</translation>
    </message>
    <message>
        <source>Counting the rows to copy…</source>
        <translation>Counting the rows to copy…</translation>
    </message>
    <message>
        <source>Estimating the time left…</source>
        <translation>Estimating the time left…</translation>
    </message>
    <message>
        <source>Cancel stops the copy after the batch being written. Nothing copied is lost: the next start of HallDesk goes on from there.</source>
        <translation>Cancel stops the copy after the batch being written. Nothing copied is lost: the next start of HallDesk goes on from there.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Stopping after the batch being written…</source>
        <translation>Stopping after the batch being written…</translation>
    </message>
    <message>
        <source>{table}: {done} of {total} rows</source>
        <translation>{table}: {done} of {total} rows</translation>
    </message>
    <message>
        <source>{done} of {total} rows in all</source>
        <translation>{done} of {total} rows in all</translation>
    </message>
    <message>
        <source>Less than a minute left</source>
        <translation>Less than a minute left</translation>
    </message>
    <message>
        <source>About {hours} h {minutes} min left</source>
        <translation>About {hours} h {minutes} min left</translation>
    </message>
    <message>
        <source>About {minutes} min left</source>
        <translation>About {minutes} min left</translation>
    </message>
    <message>
        <source>The central database cannot be reached.</source>
        <translation>The central database cannot be reached.</translation>
    </message>
    <message>
        <source>The copy stopped: {reason} The next start of HallDesk goes on from where it stopped.</source>
        <translation>The copy stopped: {reason} The next start of HallDesk goes on from where it stopped.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <source>HallDesk - Ticket kiosk</source>
        <translation>HallDesk - Ticket kiosk</translation>
    </message>
    <message>
        <source>Please touch the service you need</source>
        <translation>Please touch the service you need</translation>
    </message>
    <message>
        <source>Your number</source>
        <translation>Your number</translation>
    </message>
    <message>
        <source>Please keep your ticket and watch the screen for your number.</source>
        <translation>Please keep your ticket and watch the screen for your number.</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message numerus="yes">
        <source>%n waiting</source>
        <translation>
            <numerusform>%n waiting</numerusform>
            <numerusform>%n waiting</numerusform>
        </translation>
    </message>
    <message>
        <source>Issuing your ticket...</source>
        <translation>Issuing your ticket...</translation>
    </message>
    <message>
        <source>Nobody is ahead of you</source>
        <translation>Nobody is ahead of you</translation>
    </message>
    <message numerus="yes">
        <source>%n people ahead of you</source>
        <translation>
            <numerusform>%n person ahead of you</numerusform>
            <numerusform>%n people ahead of you</numerusform>
        </translation>
    </message>
    <message>
        <source>Estimated wait: none</source>
        <translation>Estimated wait: none</translation>
    </message>
    <message>
        <source>Estimated wait: about {minutes} min</source>
        <translation>Estimated wait: about {minutes} min</translation>
    </message>
    <message>
        <source>Issued at {time}</source>
        <translation>Issued at {time}</translation>
    </message>
</context>
<context>
    <name>LimitsDialog</name>
    <message>
        <source>Limits of {service}</source>
        <translation>Limits of {service}</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>no alert</source>
        <translation>no alert</translation>
    </message>
    <message>
        <source>Alert when someone has waited longer than</source>
        <translation>Alert when someone has waited longer than</translation>
    </message>
    <message>
        <source>Alert when a customer is at the counter longer than</source>
        <translation>Alert when a customer is at the counter longer than</translation>
    </message>
    <message>
        <source>Alert when more are waiting than</source>
        <translation>Alert when more are waiting than</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Counter log-in</source>
        <translation>Counter log-in</translation>
    </message>
    <message>
        <source>Please log in with your job number</source>
        <translation>Please log in with your job number</translation>
    </message>
    <message>
        <source>Job number</source>
        <translation>Job number</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>New password</translation>
    </message>
    <message>
        <source>Repeat the new password</source>
        <translation>Repeat the new password</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>Counter</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>Log in</translation>
    </message>
    <message>
        <source>Logging in...</source>
        <translation>Logging in...</translation>
    </message>
    <message>
        <source>Enter your job number and password.</source>
        <translation>Enter your job number and password.</translation>
    </message>
    <message>
        <source>The two new passwords differ.</source>
        <translation>The two new passwords differ.</translation>
    </message>
</context>
<context>
    <name>ManagerWindow</name>
    <message>
        <source>HallDesk - Hall manager</source>
        <translation>HallDesk - Hall manager</translation>
    </message>
    <message>
        <source>Job number</source>
        <translation>Job number</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>Log in</translation>
    </message>
    <message>
        <source>Hall manager: log in</source>
        <translation>Hall manager: log in</translation>
    </message>
    <message>
        <source>Logged in as {name}.</source>
        <translation>Logged in as {name}.</translation>
    </message>
    <message>
        <source>Choose an alert first.</source>
        <translation>Choose an alert first.</translation>
    </message>
    <message>
        <source>Acknowledge the alert</source>
        <translation>Acknowledge the alert</translation>
    </message>
    <message>
        <source>What was done about it?</source>
        <translation>What was done about it?</translation>
    </message>
    <message>
        <source>Alert acknowledged.</source>
        <translation>Alert acknowledged.</translation>
    </message>
    <message>
        <source>Complaint work order</source>
        <translation>Complaint work order</translation>
    </message>
    <message>
        <source>What is the complaint about? (The work order follows from this request.)</source>
        <translation>What is the complaint about? (The work order follows from this request.)</translation>
    </message>
    <message>
        <source>Complaint work order requested.</source>
        <translation>Complaint work order requested.</translation>
    </message>
    <message>
        <source>Choose a service first.</source>
        <translation>Choose a service first.</translation>
    </message>
    <message>
        <source>The limits are saved.</source>
        <translation>The limits are saved.</translation>
    </message>
    <message>
        <source>Waiting now</source>
        <translation>Waiting now</translation>
    </message>
    <message>
        <source>Satisfaction today</source>
        <translation>Satisfaction today</translation>
    </message>
    <message>
        <source>Alerts to acknowledge</source>
        <translation>Alerts to acknowledge</translation>
    </message>
    <message>
        <source>Devices offline</source>
        <translation>Devices offline</translation>
    </message>
    <message>
        <source>Link to the centre</source>
        <translation>Link to the centre</translation>
    </message>
    <message>
        <source>Services</source>
        <translation>Services</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Service</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <source>Longest wait</source>
        <translation>Longest wait</translation>
    </message>
    <message>
        <source>Average wait today</source>
        <translation>Average wait today</translation>
    </message>
    <message>
        <source>Served today</source>
        <translation>Served today</translation>
    </message>
    <message>
        <source>A new ticket waits</source>
        <translation>A new ticket waits</translation>
    </message>
    <message>
        <source>Limits (wait / handling / queue)</source>
        <translation>Limits (wait / handling / queue)</translation>
    </message>
    <message>
        <source>Limits of the chosen service…</source>
        <translation>Limits of the chosen service…</translation>
    </message>
    <message>
        <source>Counters</source>
        <translation>Counters</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>Counter</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>Clerk</source>
        <translation>Clerk</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Customer</translation>
    </message>
    <message>
        <source>For</source>
        <translation>For</translation>
    </message>
    <message>
        <source>Idle today</source>
        <translation>Idle today</translation>
    </message>
    <message>
        <source>Alerts today</source>
        <translation>Alerts today</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>Alert</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Where</translation>
    </message>
    <message>
        <source>What</source>
        <translation>What</translation>
    </message>
    <message>
        <source>Acknowledge… (Ctrl+K)</source>
        <translation>Acknowledge… (Ctrl+K)</translation>
    </message>
    <message>
        <source>Details… (Enter)</source>
        <translation>Details… (Enter)</translation>
    </message>
    <message>
        <source>The hall now</source>
        <translation>The hall now</translation>
    </message>
    <message>
        <source>Day charts</source>
        <translation>Day charts</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>closed</translation>
    </message>
    <message>
        <source>open, free</source>
        <translation>open, free</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>paused</translation>
    </message>
    <message>
        <source>calling</source>
        <translation>calling</translation>
    </message>
    <message>
        <source>serving</source>
        <translation>serving</translation>
    </message>
    <message>
        <source>Dissatisfied customer</source>
        <translation>Dissatisfied customer</translation>
    </message>
    <message>
        <source>Wait over the limit</source>
        <translation>Wait over the limit</translation>
    </message>
    <message>
        <source>Handling over the limit</source>
        <translation>Handling over the limit</translation>
    </message>
    <message>
        <source>Queue over the limit</source>
        <translation>Queue over the limit</translation>
    </message>
    <message>
        <source>Centre unreachable</source>
        <translation>Centre unreachable</translation>
    </message>
    <message>
        <source>Device offline</source>
        <translation>Device offline</translation>
    </message>
    <message>
        <source>Device back online</source>
        <translation>Device back online</translation>
    </message>
    <message>
        <source>Device fault</source>
        <translation>Device fault</translation>
    </message>
    <message>
        <source>Paper low</source>
        <translation>Paper low</translation>
    </message>
    <message>
        <source>Paper out</source>
        <translation>Paper out</translation>
    </message>
    <message>
        <source>Printing failed</source>
        <translation>Printing failed</translation>
    </message>
    <message>
        <source>acknowledged: {note}</source>
        <translation>acknowledged: {note}</translation>
    </message>
    <message>
        <source>acknowledged</source>
        <translation>acknowledged</translation>
    </message>
    <message>
        <source>over, to acknowledge</source>
        <translation>over, to acknowledge</translation>
    </message>
    <message>
        <source>open</source>
        <translation>open</translation>
    </message>
    <message>
        <source>Counter {n}</source>
        <translation>Counter {n}</translation>
    </message>
    <message>
        <source>Station {name}</source>
        <translation>Station {name}</translation>
    </message>
    <message>
        <source>{ticket} rated: {rating}</source>
        <translation>{ticket} rated: {rating}</translation>
    </message>
    <message>
        <source>waited {value} min, limit {limit} min</source>
        <translation>waited {value} min, limit {limit} min</translation>
    </message>
    <message>
        <source>{ticket} at the counter {value} min, limit {limit} min</source>
        <translation>{ticket} at the counter {value} min, limit {limit} min</translation>
    </message>
    <message>
        <source>{value} waiting, limit {limit}</source>
        <translation>{value} waiting, limit {limit}</translation>
    </message>
    <message>
        <source>very satisfied</source>
        <translation>very satisfied</translation>
    </message>
    <message>
        <source>satisfied</source>
        <translation>satisfied</translation>
    </message>
    <message>
        <source>fair</source>
        <translation>fair</translation>
    </message>
    <message>
        <source>dissatisfied</source>
        <translation>dissatisfied</translation>
    </message>
    <message>
        <source>very dissatisfied</source>
        <translation>very dissatisfied</translation>
    </message>
    <message>
        <source>{hall} — the hall now</source>
        <translation>{hall} — the hall now</translation>
    </message>
    <message>
        <source>no rating yet</source>
        <translation>no rating yet</translation>
    </message>
    <message>
        <source>{rate} % of {rated}</source>
        <translation>{rate} % ({rated} rated)</translation>
    </message>
    <message>
        <source>paper: {n}</source>
        <translation>paper: {n}</translation>
    </message>
    <message>
        <source>Stations not synced for over 5 minutes: {names}</source>
        <translation>Stations not synced for over 5 minutes: {names}</translation>
    </message>
    <message>
        <source>{n} stations of this hall sync with the centre.</source>
        <translation>{n} stations of this hall sync with the centre.</translation>
    </message>
    <message>
        <source>direct</source>
        <translation>direct</translation>
    </message>
    <message>
        <source>online, {n} to send</source>
        <translation>online, {n} to send</translation>
    </message>
    <message>
        <source>offline since {time}, {n} to send</source>
        <translation>offline since {time}, {n} to send</translation>
    </message>
    <message>
        <source>Business day</source>
        <translation>Business day</translation>
    </message>
    <message>
        <source>{issued} issued, {served} served, {no_shows} no-shows</source>
        <translation>{issued} issued, {served} served, {no_shows} no-shows</translation>
    </message>
    <message>
        <source>Arrivals and served per hour</source>
        <translation>Arrivals and served per hour</translation>
    </message>
    <message>
        <source>Arrivals</source>
        <translation>Arrivals</translation>
    </message>
    <message>
        <source>Served</source>
        <translation>Served</translation>
    </message>
    <message>
        <source>Waits (minutes)</source>
        <translation>Waits (minutes)</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>Customers</translation>
    </message>
    <message>
        <source>Satisfaction by clerk (%)</source>
        <translation>Satisfaction by clerk (%)</translation>
    </message>
    <message>
        <source>Satisfaction by service (%)</source>
        <translation>Satisfaction by service (%)</translation>
    </message>
    <message>
        <source>Arrivals against the same weekday ({weeks} weeks)</source>
        <translation>Arrivals against the same weekday ({weeks} weeks)</translation>
    </message>
    <message>
        <source>Arrivals (no earlier same weekday to compare)</source>
        <translation>Arrivals (no earlier same weekday to compare)</translation>
    </message>
    <message>
        <source>This day</source>
        <translation>This day</translation>
    </message>
    <message>
        <source>Usual</source>
        <translation>Usual</translation>
    </message>
    <message>
        <source>Satisfied</source>
        <translation>Satisfied</translation>
    </message>
    <message>
        <source>Paid twice while counters were offline (last {days} days): call the customer; a refund at the counter pays a credit back.</source>
        <translation>Paid twice while counters were offline (last {days} days): call the customer; a refund at the counter pays a credit back.</translation>
    </message>
    <message>
        <source>{time}  account {account}, bill {period}: {amount} to the customer&apos;s credit (receipts {receipts})</source>
        <translation>{time}  account {account}, bill {period}: {amount} to the customer&apos;s credit (receipts {receipts})</translation>
    </message>
    <message>
        <source>{time}  account {account}, bill {period}: {amount} taken back, a payment was voided (receipt {receipts})</source>
        <translation>{time}  account {account}, bill {period}: {amount} taken back, a payment was voided (receipt {receipts})</translation>
    </message>
    <message>
        <source>{time}  account {account}: prepaid credit paid out twice, {amount} overdrawn (refunds at {receipts})</source>
        <translation>{time}  account {account}: prepaid credit paid out twice, {amount} overdrawn (refunds at {receipts})</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>Something went wrong. The step was not saved; please try again.</source>
        <translation>Something went wrong. The step was not saved; please try again.</translation>
    </message>
    <message>
        <source>The queue database cannot be reached. Please ask the staff for help.</source>
        <translation>The queue database cannot be reached. Please ask the staff for help.</translation>
    </message>
    <message>
        <source>Hall {hall} is not set up in the database.</source>
        <translation>Hall {hall} is not set up in the database.</translation>
    </message>
    <message>
        <source>Service {service} is not offered in this hall.</source>
        <translation>Service {service} is not offered in this hall.</translation>
    </message>
    <message>
        <source>Counter {counter} does not exist in this hall.</source>
        <translation>Counter {counter} does not exist in this hall.</translation>
    </message>
    <message>
        <source>That ticket is not known.</source>
        <translation>That ticket is not known.</translation>
    </message>
    <message>
        <source>Nobody is logged in at this counter. Please log in again.</source>
        <translation>Nobody is logged in at this counter. Please log in again.</translation>
    </message>
    <message>
        <source>Finish or hold the current customer first.</source>
        <translation>Finish or hold the current customer first.</translation>
    </message>
    <message>
        <source>The counter is paused. Resume it first (F10).</source>
        <translation>The counter is paused. Resume it first (F10).</translation>
    </message>
    <message>
        <source>The counter is not paused.</source>
        <translation>The counter is not paused.</translation>
    </message>
    <message>
        <source>There is no current customer. Call the next one first (F1).</source>
        <translation>There is no current customer. Call the next one first (F1).</translation>
    </message>
    <message>
        <source>Not possible now: the customer is already being served.</source>
        <translation>Not possible now: the customer is already being served.</translation>
    </message>
    <message>
        <source>No waiting ticket {number} today.</source>
        <translation>No waiting ticket {number} today.</translation>
    </message>
    <message>
        <source>This ticket cannot be recalled any more.</source>
        <translation>This ticket cannot be recalled any more.</translation>
    </message>
    <message>
        <source>No ticket is on hold at this counter.</source>
        <translation>No ticket is on hold at this counter.</translation>
    </message>
    <message>
        <source>The ticket cannot be transferred to that service.</source>
        <translation>The ticket cannot be transferred to that service.</translation>
    </message>
    <message>
        <source>No more numbers for this service today. Please ask the staff.</source>
        <translation>No more numbers for this service today. Please ask the staff.</translation>
    </message>
    <message>
        <source>This counter does not offer that service.</source>
        <translation>This counter does not offer that service.</translation>
    </message>
    <message>
        <source>Wrong job number or password.</source>
        <translation>Wrong job number or password.</translation>
    </message>
    <message>
        <source>The input is not valid.</source>
        <translation>The input is not valid.</translation>
    </message>
    <message>
        <source>This rating request is already closed.</source>
        <translation>This rating request is already closed.</translation>
    </message>
    <message>
        <source>Not saved: {reason}</source>
        <translation>Not saved: {reason}</translation>
    </message>
    <message>
        <source>Please log in first.</source>
        <translation>Please log in first.</translation>
    </message>
    <message>
        <source>That is not an amount of money.</source>
        <translation>That is not an amount of money.</translation>
    </message>
    <message>
        <source>No such account in this hall.</source>
        <translation>No such account in this hall.</translation>
    </message>
    <message>
        <source>That bill does not belong to this account.</source>
        <translation>That bill does not belong to this account.</translation>
    </message>
    <message>
        <source>That bill is already paid in full.</source>
        <translation>That bill is already paid in full.</translation>
    </message>
    <message>
        <source>The business fee {fee} is not (or no longer) in this hall&apos;s schedule.</source>
        <translation>The business fee {fee} is not (or no longer) in this hall&apos;s schedule.</translation>
    </message>
    <message>
        <source>The amount does not cover the business fees ({fees}).</source>
        <translation>The amount does not cover the business fees ({fees}).</translation>
    </message>
    <message>
        <source>Cash received is less than the amount ({amount}).</source>
        <translation>Cash received is less than the amount ({amount}).</translation>
    </message>
    <message>
        <source>Enter the card or QR transaction number.</source>
        <translation>Enter the card or QR transaction number.</translation>
    </message>
    <message>
        <source>No such payment.</source>
        <translation>No such payment.</translation>
    </message>
    <message>
        <source>This payment has already been voided.</source>
        <translation>This payment has already been voided.</translation>
    </message>
    <message>
        <source>Only payments of today can be voided.</source>
        <translation>Only payments of today can be voided.</translation>
    </message>
    <message>
        <source>A bill of this payment was paid twice while counters were offline, and its surplus is already the customer&apos;s prepaid credit. Refund the credit instead.</source>
        <translation>A bill of this payment was paid twice while counters were offline, and its surplus is already the customer&apos;s prepaid credit. Refund the credit instead.</translation>
    </message>
    <message>
        <source>The day {day} is closed; no more payments, voids or refunds.</source>
        <translation>The day {day} is closed; no more payments, voids or refunds.</translation>
    </message>
    <message>
        <source>Not enough prepaid credit (available: {credit}).</source>
        <translation>Not enough prepaid credit (available: {credit}).</translation>
    </message>
    <message>
        <source>The amount must be above zero.</source>
        <translation>The amount must be above zero.</translation>
    </message>
    <message>
        <source>An amount has at most {places} decimals (fen).</source>
        <translation>An amount has at most {places} decimals (fen).</translation>
    </message>
    <message>
        <source>The amount is above {maximum}.</source>
        <translation>The amount is above {maximum}.</translation>
    </message>
    <message>
        <source>Too many wrong passwords: the account is locked. Try again in {minutes} min or ask an administrator.</source>
        <translation>Too many wrong passwords: the account is locked. Try again in {minutes} min or ask an administrator.</translation>
    </message>
    <message>
        <source>Your password was reset. Choose a new password to log in.</source>
        <translation>Your password was reset. Choose a new password to log in.</translation>
    </message>
    <message>
        <source>Choose a password of at least {length} characters, not digits alone and not your job number.</source>
        <translation>Choose a password of at least {length} characters, not digits alone and not your job number.</translation>
    </message>
    <message>
        <source>Your role may not do this.</source>
        <translation>Your role may not do this.</translation>
    </message>
    <message>
        <source>Select a device first (the bus station must run here).</source>
        <translation>Select a device first (the bus station must run here).</translation>
    </message>
    <message>
        <source>Receipt {number} was not printed: the receipt printer does not answer. The payment is saved; reprint it (Ctrl+P) when the printer is back.</source>
        <translation>Receipt {number} was not printed: the receipt printer does not answer. The payment is saved; reprint it (Ctrl+P) when the printer is back.</translation>
    </message>
    <message>
        <source>The ticket printer is out of paper. Please ask the staff for help.</source>
        <translation>The ticket printer is out of paper. Please ask the staff for help.</translation>
    </message>
    <message>
        <source>The ticket printer does not answer. Please ask the staff for help.</source>
        <translation>The ticket printer does not answer. Please ask the staff for help.</translation>
    </message>
    <message>
        <source>The step was refused ({code}).</source>
        <translation>The step was refused ({code}).</translation>
    </message>
    <message>
        <source>very satisfied</source>
        <translation>very satisfied</translation>
    </message>
    <message>
        <source>satisfied</source>
        <translation>satisfied</translation>
    </message>
    <message>
        <source>fair</source>
        <translation>fair</translation>
    </message>
    <message>
        <source>dissatisfied</source>
        <translation>dissatisfied</translation>
    </message>
    <message>
        <source>very dissatisfied</source>
        <translation>very dissatisfied</translation>
    </message>
    <message>
        <source>Caller keypad</source>
        <translation>Caller keypad</translation>
    </message>
    <message>
        <source>Evaluator</source>
        <translation>Evaluator</translation>
    </message>
    <message>
        <source>Dispenser panel</source>
        <translation>Dispenser panel</translation>
    </message>
    <message>
        <source>Ticket printer</source>
        <translation>Ticket printer</translation>
    </message>
    <message>
        <source>LED display</source>
        <translation>LED display</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <source>Called</source>
        <translation>Called</translation>
    </message>
    <message>
        <source>Serving</source>
        <translation>Serving</translation>
    </message>
    <message>
        <source>On hold</source>
        <translation>On hold</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>No-show</source>
        <translation>No-show</translation>
    </message>
    <message>
        <source>Transferred</source>
        <translation>Transferred</translation>
    </message>
    <message>
        <source>Lunch</source>
        <translation>Lunch</translation>
    </message>
    <message>
        <source>Meeting</source>
        <translation>Meeting</translation>
    </message>
    <message>
        <source>System fault</source>
        <translation>System fault</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Other</translation>
    </message>
</context>
<context>
    <name>NoteDialog</name>
    <message>
        <source>Say in a few words what was done.</source>
        <translation>Say in a few words what was done.</translation>
    </message>
</context>
<context>
    <name>PauseDialog</name>
    <message>
        <source>Pause the counter</source>
        <translation>Pause the counter</translation>
    </message>
    <message>
        <source>Why is the counter pausing?</source>
        <translation>Why is the counter pausing?</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
</context>
<context>
    <name>PayDialog</name>
    <message>
        <source>Take a payment</source>
        <translation>Take a payment</translation>
    </message>
    <message>
        <source>Pay and print</source>
        <translation>Pay and print</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Account</translation>
    </message>
    <message>
        <source>empty: exactly the amount</source>
        <translation>empty: exactly the amount</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>Cash received</source>
        <translation>Cash received</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Change</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Method</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>Reference</translation>
    </message>
    <message>
        <source>Cash received is less than the amount ({amount}).</source>
        <translation>Cash received is less than the amount ({amount}).</translation>
    </message>
    <message>
        <source>Type or scan the card slip&apos;s or the QR payment&apos;s reference.</source>
        <translation>Type or scan the card slip&apos;s or the QR payment&apos;s reference.</translation>
    </message>
</context>
<context>
    <name>PaymentPanel</name>
    <message>
        <source>Please log in first (Ctrl+L).</source>
        <translation>Please log in first (Ctrl+L).</translation>
    </message>
    <message>
        <source>No account found for {query}.</source>
        <translation>No account found for {query}.</translation>
    </message>
    <message>
        <source>{count} accounts found: choose one and press Enter.</source>
        <translation>{count} accounts found: choose one and press Enter.</translation>
    </message>
    <message>
        <source>Look up the account first ({key}).</source>
        <translation>Look up the account first ({key}).</translation>
    </message>
    <message>
        <source>Paid {amount} ({method}), receipt {number}.</source>
        <translation>Paid {amount} ({method}), receipt {number}.</translation>
    </message>
    <message>
        <source>Change: {change}.</source>
        <translation>Change: {change}.</translation>
    </message>
    <message>
        <source>This hall has no business fees.</source>
        <translation>This hall has no business fees.</translation>
    </message>
    <message>
        <source>Choose a payment in the list first.</source>
        <translation>Choose a payment in the list first.</translation>
    </message>
    <message>
        <source>Copy of receipt {number} printing.</source>
        <translation>Copy of receipt {number} printing.</translation>
    </message>
    <message>
        <source>Receipt {number} is void already.</source>
        <translation>Receipt {number} is void already.</translation>
    </message>
    <message>
        <source>Receipt {number} is void; {amount} to give back.</source>
        <translation>Receipt {number} is void; {amount} to give back.</translation>
    </message>
    <message>
        <source>This account has no credit to refund.</source>
        <translation>This account has no credit to refund.</translation>
    </message>
    <message>
        <source>{amount} of credit refunded; {left} left.</source>
        <translation>{amount} of credit refunded; {left} left.</translation>
    </message>
    <message>
        <source>Day {day} closed: cash expected {expected}, counted {counted}, difference {difference}.</source>
        <translation>Day {day} closed: cash expected {expected}, counted {counted}, difference {difference}.</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>Cash</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>Bank card</translation>
    </message>
    <message>
        <source>QR pay</source>
        <translation>QR pay</translation>
    </message>
    <message>
        <source>Residential</source>
        <translation>Residential</translation>
    </message>
    <message>
        <source>Commercial</source>
        <translation>Commercial</translation>
    </message>
    <message>
        <source>Low-income (late fees waived)</source>
        <translation>Low-income (late fees waived)</translation>
    </message>
    <message>
        <source>Fee payment</source>
        <translation>Fee payment</translation>
    </message>
    <message>
        <source>Account number, phone, name or address ({key}), then Enter</source>
        <translation>Account number, phone, name or address ({key}), then Enter</translation>
    </message>
    <message>
        <source>Look up</source>
        <translation>Look up</translation>
    </message>
    <message>
        <source>Unpaid bills (Space: include or leave out)</source>
        <translation>Unpaid bills (Space: include or leave out)</translation>
    </message>
    <message>
        <source>Payments of this account</source>
        <translation>Payments of this account</translation>
    </message>
    <message>
        <source>Pay</source>
        <translation>Pay</translation>
    </message>
    <message>
        <source>Business fees...</source>
        <translation>Business fees...</translation>
    </message>
    <message>
        <source>Reprint</source>
        <translation>Reprint</translation>
    </message>
    <message>
        <source>Void...</source>
        <translation>Void...</translation>
    </message>
    <message>
        <source>Refund credit...</source>
        <translation>Refund credit...</translation>
    </message>
    <message>
        <source>Day closing...</source>
        <translation>Day closing...</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>Usage</source>
        <translation>Usage</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Paid</translation>
    </message>
    <message>
        <source>Late fee</source>
        <translation>Late fee</translation>
    </message>
    <message>
        <source>Due now</source>
        <translation>Due now</translation>
    </message>
    <message>
        <source>Due date</source>
        <translation>Due date</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>Receipt</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Method</translation>
    </message>
    <message>
        <source>Clerk</source>
        <translation>Clerk</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>No account chosen</source>
        <translation>No account chosen</translation>
    </message>
    <message>
        <source>Credit {amount}</source>
        <translation>Credit {amount}</translation>
    </message>
    <message>
        <source>Nothing owed. A payment goes to credit.</source>
        <translation>Nothing owed. A payment goes to credit.</translation>
    </message>
    <message>
        <source>{count} of {total} bills chosen: {due} due (late fees {late})</source>
        <translation>{count} of {total} bills chosen: {due} due (late fees {late})</translation>
    </message>
    <message>
        <source>Business fees {names}: {amount}</source>
        <translation>Business fees {names}: {amount}</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>Void</translation>
    </message>
    <message>
        <source>Sending to the centre: {count} waiting</source>
        <translation>Sending to the centre: {count} waiting</translation>
    </message>
    <message>
        <source>Centre offline since {time}, {count} waiting to be sent</source>
        <translation>Centre offline since {time}, {count} waiting to be sent</translation>
    </message>
</context>
<context>
    <name>ReceiptPrinter</name>
    <message>
        <source>Choose the receipt printer</source>
        <translation>Choose the receipt printer</translation>
    </message>
    <message>
        <source>Receipt {number} was not printed: no printer was chosen.</source>
        <translation>Receipt {number} was not printed: no printer was chosen.</translation>
    </message>
    <message>
        <source>Receipt {number} could not be printed: {error}</source>
        <translation>Receipt {number} could not be printed: {error}</translation>
    </message>
</context>
<context>
    <name>RefundDialog</name>
    <message>
        <source>Refund credit</source>
        <translation>Refund credit</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>Refund</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Account</translation>
    </message>
    <message>
        <source>Credit</source>
        <translation>Credit</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Method</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>Reference</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>A card or QR refund needs its reference.</source>
        <translation>A card or QR refund needs its reference.</translation>
    </message>
    <message>
        <source>Give the reason.</source>
        <translation>Give the reason.</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <source>Transfer</source>
        <translation>Transfer</translation>
    </message>
    <message>
        <source>Transfer {number} to:</source>
        <translation>Transfer {number} to:</translation>
    </message>
</context>
<context>
    <name>VoidDialog</name>
    <message>
        <source>Void a payment</source>
        <translation>Void a payment</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>Void</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>Receipt</translation>
    </message>
    <message>
        <source>Wrong amount</source>
        <translation>Wrong amount</translation>
    </message>
    <message>
        <source>Wrong account</source>
        <translation>Wrong account</translation>
    </message>
    <message>
        <source>Customer cancelled</source>
        <translation>Customer cancelled</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>Give the reason.</source>
        <translation>Give the reason.</translation>
    </message>
</context>
</TS>
