#!/usr/bin/perl
# pp-webd @VERSION@: the patchpilot lab's health-checked service.
#
# Listens on 0.0.0.0:8081 and answers:
#   GET /health   200 "ok pp-webd VERSION", or 503 "unhealthy pp-webd VERSION"
#                 when /etc/pp-webd/unhealthy exists or when
#                 /etc/pp-webd/unhealthy-versions lists VERSION on a line
#                 (so a test can declare the NEW version broken before the
#                 upgrade and watch a rollout stop at the canary)
#   GET /version  200 "VERSION"
# Only perl-base is needed (IO::Socket::INET), so any lab host can run it.
use strict;
use warnings;
use IO::Socket::INET;

my $version = '@VERSION@';
my $port = 8081;

sub is_unhealthy {
    return 1 if -e '/etc/pp-webd/unhealthy';
    open(my $fh, '<', '/etc/pp-webd/unhealthy-versions') or return 0;
    while (my $line = <$fh>) {
        $line =~ s/\s+$//;
        return 1 if $line eq $version;
    }
    return 0;
}

sub respond {
    my ($client, $code, $reason, $body) = @_;
    print $client "HTTP/1.0 $code $reason\r\n",
        "Content-Type: text/plain\r\n",
        'Content-Length: ', length($body), "\r\n",
        "Connection: close\r\n\r\n", $body;
}

sub serve {
    my ($client) = @_;
    my $request = <$client> // '';
    while (my $header = <$client>) {
        last if $header =~ /^\r?\n$/;
    }
    if ($request =~ m{^GET /health[ ?]}) {
        if (is_unhealthy()) {
            respond($client, 503, 'Service Unavailable',
                "unhealthy pp-webd $version\n");
        } else {
            respond($client, 200, 'OK', "ok pp-webd $version\n");
        }
    } elsif ($request =~ m{^GET /version[ ?]}) {
        respond($client, 200, 'OK', "$version\n");
    } else {
        respond($client, 404, 'Not Found', "not found\n");
    }
}

my $server = IO::Socket::INET->new(
    LocalAddr => '0.0.0.0',
    LocalPort => $port,
    Proto     => 'tcp',
    Listen    => 64,
    ReuseAddr => 1,
) or die "pp-webd: cannot listen on 0.0.0.0:$port: $!\n";
$SIG{PIPE} = 'IGNORE';
print STDERR "pp-webd $version listening on 0.0.0.0:$port\n";

while (1) {
    my $client = $server->accept or next;
    # A client that never finishes its request must not wedge the server.
    eval {
        local $SIG{ALRM} = sub { die "timeout\n" };
        alarm 5;
        serve($client);
        alarm 0;
    };
    alarm 0;
    close $client;
}
