// The support desk module: see the types in Tickets/, Summaries/, FAQ/ and Verification/.
